// biome-ignore-all lint: probe code, kept as run against wrangler dev (loose types on purpose)
// Probe workflows for observing Cloudflare's local Workflows engine (wrangler dev) and Weft
// side by side. Every workflow records what it sees into LOG (per instance id), which the
// fetch handler serves at /log. Driven by ../driver.mjs.
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { NonRetryableError } from "cloudflare:workflows";

type AnyWf = Workflow<any>;
interface Env {
	RB: AnyWf;
	DELAY: AnyWf;
	LIMIT: AnyWf;
	STREAM: AnyWf;
	SENS: AnyWf;
	RESTART: AnyWf;
}

const LOG = new Map<string, unknown[]>();
const rec = (id: string, v: unknown) => {
	const a = LOG.get(id) ?? [];
	a.push(v);
	LOG.set(id, a);
	console.log(`PROBE ${id} ${safe(v)}`);
};
const safe = (v: unknown) => {
	try {
		return JSON.stringify(v);
	} catch (e) {
		return `<unserialisable ${(e as Error).message}>`;
	}
};
const errInfo = (e: unknown) =>
	e instanceof Error
		? { isError: true, ctor: e.constructor?.name, name: e.name, message: e.message, keys: Object.keys(e) }
		: { isError: false, type: typeof e, value: safe(e) };
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------- 1. rollback ----------
type RbParams = {
	mode: "fail" | "throwInRun" | "nonRetryable" | "sleep" | "ok";
	slowMs?: number; // each handler waits this long (to poll status during the chain)
	handlerThrows?: string; // name of the step whose handler throws
	handlerNonRetryable?: boolean;
};
export class RollbackWorkflow extends WorkflowEntrypoint<Env, RbParams> {
	async run(event: WorkflowEvent<RbParams>, step: WorkflowStep) {
		const p = event.payload;
		const id = event.instanceId;
		const handler = (label: string) => async (arg: any) => {
			rec(id, {
				rollback: label,
				argKeys: Object.keys(arg ?? {}),
				ctx: arg?.ctx,
				error: errInfo(arg?.error),
				output: arg?.output === undefined ? "<undefined>" : arg.output,
				stepName: arg?.stepName,
			});
			if (p.slowMs) await wait(p.slowMs);
			if (p.handlerThrows === label) {
				if (p.handlerNonRetryable) throw new NonRetryableError(`rollback of ${label} refused`);
				throw new Error(`rollback of ${label} failed`);
			}
		};
		const a = await step.do("book a", async () => ({ booked: "a" }), { rollback: handler("book a") });
		await step.do("no handler", async () => "plain");
		const c = await step.do("book c", { retries: { limit: 0, delay: 10 } }, async () => ({ booked: "c" }), {
			rollback: handler("book c"),
			rollbackConfig: { retries: { limit: 1, delay: 100, backoff: "constant" }, timeout: "5 seconds" },
		});
		if (p.mode === "sleep") await step.sleep("long nap", "1 hour");
		if (p.mode === "throwInRun") throw new Error("boom in run");
		if (p.mode === "fail" || p.mode === "nonRetryable")
			await step.do(
				"charge",
				{ retries: { limit: 1, delay: 10, backoff: "constant" } },
				async () => {
					if (p.mode === "nonRetryable") throw new NonRetryableError("card refused");
					throw new Error("card declined");
				},
				{ rollback: handler("charge") },
			);
		return { a, c };
	}
}

// ---------- 2. retries.delay as a function ----------
type DelayParams = { variant: "ok" | "throws" | "bad" | "string" };
export class DelayWorkflow extends WorkflowEntrypoint<Env, DelayParams> {
	async run(event: WorkflowEvent<DelayParams>, step: WorkflowStep) {
		const id = event.instanceId;
		const v = event.payload.variant;
		return await step.do(
			"flaky",
			{
				retries: {
					limit: 2,
					backoff: "exponential",
					delay: ((arg: any) => {
						rec(id, { delayFn: { argKeys: Object.keys(arg ?? {}), ctx: arg?.ctx, error: errInfo(arg?.error) } });
						if (v === "throws") throw new Error("delay fn exploded");
						if (v === "bad") return "soon-ish";
						if (v === "string") return "1 second";
						return 50;
					}) as any,
				},
			},
			async (ctx) => {
				rec(id, { attempt: ctx.attempt, config: ctx.config, step: ctx.step, t: Date.now() });
				if (ctx.attempt < 3) throw new TypeError(`fail ${ctx.attempt}`);
				return { attempts: ctx.attempt };
			},
		);
	}
}

// ---------- 3. limits.steps (wrangler config: 3) ----------
type LimitParams = { sleeps?: number; steps?: number; waits?: number };
export class LimitWorkflow extends WorkflowEntrypoint<Env, LimitParams> {
	async run(event: WorkflowEvent<LimitParams>, step: WorkflowStep) {
		const p = event.payload;
		for (let i = 0; i < (p.sleeps ?? 0); i++) await step.sleep(`nap ${i}`, 10);
		for (let i = 0; i < (p.waits ?? 0); i++) {
			try {
				await step.waitForEvent(`wait ${i}`, { type: "x", timeout: "1 second" });
			} catch (e) {
				rec(event.instanceId, { wait: i, error: errInfo(e) });
			}
		}
		const out: number[] = [];
		for (let i = 0; i < (p.steps ?? 0); i++) {
			try {
				out.push(await step.do(`s${i}`, async () => i));
			} catch (e) {
				rec(event.instanceId, { step: i, caught: errInfo(e) });
				throw e;
			}
		}
		return out;
	}
}

// ---------- 4. ReadableStream output ----------
type StreamParams = { variant: "read" | "return" | "stringChunks" };
const enc = new TextEncoder();
export class StreamWorkflow extends WorkflowEntrypoint<Env, StreamParams> {
	async run(event: WorkflowEvent<StreamParams>, step: WorkflowStep) {
		const id = event.instanceId;
		const v = event.payload.variant;
		const s = await step.do("make stream", async () => {
			rec(id, { ranMakeStream: true });
			return new ReadableStream<any>({
				start(c) {
					c.enqueue(v === "stringChunks" ? "hello " : enc.encode("hello "));
					c.enqueue(v === "stringChunks" ? "world" : enc.encode("world"));
					c.close();
				},
			});
		});
		const info: any = { type: typeof s, ctor: (s as any)?.constructor?.name, isRS: s instanceof ReadableStream };
		if (v === "return") {
			await step.do("after", async () => "after");
			return s;
		}
		const text = await new Response(s as any).text();
		info.text = text;
		rec(id, { got: info });
		await step.do("after", async () => "after");
		return { text };
	}
}

// ---------- 5. sensitive: 'output' ----------
export class SensitiveWorkflow extends WorkflowEntrypoint<Env, {}> {
	async run(event: WorkflowEvent<{}>, step: WorkflowStep) {
		const secret = await step.do("secret", { sensitive: "output" } as any, async (ctx) => {
			rec(event.instanceId, { config: ctx.config });
			return { token: "s3cr3t" };
		});
		const plain = await step.do("plain", async () => ({ seen: secret.token.length }));
		return { secret, plain };
	}
}

// ---------- 6. restart from ----------
export class RestartWorkflow extends WorkflowEntrypoint<Env, { hold?: boolean }> {
	async run(event: WorkflowEvent<{ hold?: boolean }>, step: WorkflowStep) {
		const id = event.instanceId;
		const r: unknown[] = [];
		r.push(await step.do("a", async () => (rec(id, { ran: "a" }), "a")));
		r.push(await step.do("b", async () => (rec(id, { ran: "b#1" }), "b1")));
		r.push(await step.do("b", async () => (rec(id, { ran: "b#2" }), "b2")));
		await step.sleep("nap", 10);
		r.push(await step.do("c", async () => (rec(id, { ran: "c" }), "c")));
		if (event.payload?.hold) {
			const ev = await step.waitForEvent("go", { type: "go", timeout: "1 hour" });
			r.push(ev.payload);
		}
		return r;
	}
}

// ---------- reflection helpers ----------
const names = (o: any) => {
	const out: Record<string, string[]> = {};
	let cur = o;
	let depth = 0;
	while (cur && depth < 6) {
		const key = depth === 0 ? "own" : `proto${depth}:${cur.constructor?.name ?? "?"}`;
		try {
			out[key] = Reflect.ownKeys(cur).map(String);
		} catch (e) {
			out[key] = [`<error ${(e as Error).message}>`];
		}
		cur = Object.getPrototypeOf(cur);
		depth++;
		if (cur === Object.prototype) break;
	}
	return out;
};
const probeMembers = (o: any, list: string[]) =>
	Object.fromEntries(
		list.map((k) => [
			k,
			(() => {
				try {
					return typeof o[k];
				} catch (e) {
					return `throws ${(e as Error).message}`;
				}
			})(),
		]),
	);

const json = (v: unknown, status = 200) =>
	new Response(
		JSON.stringify(v, (_k, x) => (x === undefined ? "<undefined>" : x)),
		{
			status,
			headers: { "content-type": "application/json" },
		},
	);

export default {
	async fetch(req: Request, env: Env): Promise<Response> {
		const url = new URL(req.url);
		const q = url.searchParams;
		const id = q.get("id") ?? undefined;
		const wf = (env as any)[q.get("wf") ?? "RB"] as AnyWf;
		const body = req.method === "POST" ? await req.json().catch(() => ({})) : {};
		try {
			switch (url.pathname) {
				case "/create": {
					const inst = await wf.create({ id, params: body } as any);
					return json({ id: inst.id });
				}
				case "/createRaw": {
					const inst = await wf.create(body as any);
					return json({ id: inst.id });
				}
				case "/status": {
					const s = await (await wf.get(id!)).status();
					return json({ keys: Object.keys(s), status: s });
				}
				case "/statusOutputInfo": {
					const s: any = await (await wf.get(id!)).status();
					const o = s.output;
					const info: any = { type: typeof o, ctor: o?.constructor?.name, isRS: o instanceof ReadableStream };
					if (o instanceof ReadableStream) info.text = await new Response(o).text();
					else info.json = o;
					return json(info);
				}
				case "/log":
					return json(LOG.get(id!) ?? []);
				case "/event":
					await (await wf.get(id!)).sendEvent({ type: q.get("type") ?? "go", payload: body });
					return json({ sent: true });
				case "/terminate": {
					const inst = await wf.get(id!);
					const r = await inst.terminate(q.get("rollback") ? ({ rollback: true } as any) : undefined);
					return json({ returned: r ?? "<undefined>" });
				}
				case "/pause":
				case "/resume": {
					const inst = await wf.get(id!);
					await (inst as any)[url.pathname.slice(1)]();
					return json({ ok: true });
				}
				case "/restart": {
					const inst = await wf.get(id!);
					const r = await (inst as any).restart(Object.keys(body).length ? body : undefined);
					return json({ returned: r ?? "<undefined>" });
				}
				case "/delete": {
					const inst = await wf.get(id!);
					const r = await (inst as any).delete();
					return json({ returned: r ?? "<undefined>" });
				}
				case "/deleteBatch": {
					const r = await (wf as any).deleteBatch(body);
					return json(r);
				}
				case "/subscribe": {
					const inst = await wf.get(id!);
					const sub: any = await (inst as any).subscribe(body);
					const shape = { type: typeof sub, names: names(sub), asyncIter: typeof sub?.[Symbol.asyncIterator], next: typeof sub?.next };
					const events: unknown[] = [];
					const deadline = Date.now() + Number(q.get("ms") ?? "3000");
					let ended = "timeout";
					if (q.get("forAwait") && typeof sub?.[Symbol.asyncIterator] === "function") {
						for await (const ev of sub) {
							events.push(ev);
							if (Date.now() > deadline) break;
						}
						ended = "forAwait done";
					} else {
						while (Date.now() < deadline) {
							const r = await Promise.race([sub.next(), wait(deadline - Date.now()).then(() => "timeout")]);
							if (r === "timeout") break;
							if ((r as any).done) {
								ended = "done";
								break;
							}
							events.push((r as any).value);
						}
					}
					try {
						sub[Symbol.dispose]?.();
					} catch {}
					return json({ shape, ended, events });
				}
				case "/reflect": {
					const inst: any = id ? await wf.get(id) : undefined;
					const wanted = [
						"create",
						"createBatch",
						"get",
						"delete",
						"deleteBatch",
						"subscribe",
						"status",
						"pause",
						"resume",
						"terminate",
						"restart",
						"sendEvent",
						"id",
						"details",
					];
					return json({
						binding: { typeof: typeof wf, names: names(wf), members: probeMembers(wf, wanted) },
						instance: inst && { names: names(inst), members: probeMembers(inst, wanted) },
					});
				}
				default:
					return json({ error: "no route" }, 404);
			}
		} catch (e) {
			return json({ caught: errInfo(e), code: (e as any)?.code }, 500);
		}
	},
};
