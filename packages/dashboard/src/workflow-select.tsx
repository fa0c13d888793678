// The workflow picker the instances page and the playground share.

export function WorkflowSelect({ names, value, onChange }: { names: string[]; value: string; onChange: (name: string) => void }) {
	return (
		<label>
			workflow
			<select value={value} onChange={(e) => onChange(e.currentTarget.value)} name="workflow">
				{names.map((n) => (
					<option key={n} value={n}>
						{n}
					</option>
				))}
			</select>
		</label>
	);
}
