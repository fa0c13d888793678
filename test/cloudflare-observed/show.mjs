// biome-ignore-all lint: probe code, kept as run against wrangler dev (loose types on purpose)
import fs from "node:fs";

const r = JSON.parse(fs.readFileSync(process.argv[2]));
const keys = process.argv[3].split(",");
const strip = (e) => {
	const { instanceId, timestamp, ...rest } = e ?? {};
	return rest;
};
for (const k of Object.keys(r).filter((n) => keys.some((p) => n.startsWith(p)))) {
	const v = structuredClone(r[k]);
	console.log(`==== ${k}`);
	const subs = [];
	const walk = (o, path) => {
		if (o && typeof o === "object")
			for (const [kk, vv] of Object.entries(o)) {
				if (vv && typeof vv === "object" && Array.isArray(vv.events) && vv.shape) {
					subs.push([path + "." + kk, vv]);
					o[kk] = "<sub below>";
				} else walk(vv, path + "." + kk);
			}
	};
	walk(v, "");
	console.log(JSON.stringify(v));
	for (const [p, s] of subs) {
		console.log(`  -- subscribe ${p}: ended=${s.ended} http=${s.http} ${s.caught ? JSON.stringify(s.caught) : ""}`);
		for (const e of s.events) console.log("   ", JSON.stringify(strip(e)));
	}
}
