// #/instances/:workflow/:id — one instance, with a way back to its workflow's list.
import { instancesHref } from "./hash-route.js";
import { InstanceView } from "./instance-view.js";

export function InstancePage({ workflow, id }: { workflow: string; id: string }) {
	return (
		<section class="page">
			<p>
				<a href={instancesHref({ workflow })}>← {workflow} instances</a>
			</p>
			<InstanceView key={`${workflow}/${id}`} workflow={workflow} id={id} />
		</section>
	);
}
