// The transform of the ETL example: one line of GeoNames' US postal codes (as shipped by the
// vega-datasets package) into a clean row, or a reason it was rejected. Pure functions, so the
// transform step can run again after a crash and give the same answer.

/** The header the extract step insists on: a file with other columns is not this dataset. */
export const ZIP_HEADER = ["zip_code", "latitude", "longitude", "city", "state", "county"] as const;

export interface ZipRow {
	zip: string;
	lat: number;
	lon: number;
	city: string;
	state: string;
	county: string;
	/** The US Census region of the state, or "Territory" (PR, GU, …). */
	region: string;
}

export interface Reject {
	/** 1-based line number in the source file, so a person can open the file at it. */
	line: number;
	reason: string;
	raw: string;
}

const REGIONS: Record<string, string[]> = {
	Northeast: ["CT", "ME", "MA", "NH", "RI", "VT", "NJ", "NY", "PA"],
	Midwest: ["IL", "IN", "MI", "OH", "WI", "IA", "KS", "MN", "MO", "NE", "ND", "SD"],
	South: ["DE", "DC", "FL", "GA", "MD", "NC", "SC", "VA", "WV", "AL", "KY", "MS", "TN", "AR", "LA", "OK", "TX"],
	West: ["AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY", "AK", "CA", "HI", "OR", "WA"],
};
const REGION_OF = new Map(Object.entries(REGIONS).flatMap(([region, states]) => states.map((s) => [s, region] as const)));

/**
 * Splits one CSV line (RFC 4180 quoting, no line breaks inside fields); null when a quote is
 * left open, which only a damaged line has.
 */
export function splitCsvLine(line: string): string[] | null {
	const fields: string[] = [];
	let field = "";
	let quoted = false;
	for (let i = 0; i < line.length; i++) {
		const c = line[i];
		if (quoted) {
			if (c === '"' && line[i + 1] === '"') {
				field += '"';
				i++;
			} else if (c === '"') quoted = false;
			else field += c;
		} else if (c === '"' && field === "") quoted = true;
		else if (c === ",") {
			fields.push(field);
			field = "";
		} else field += c;
	}
	if (quoted) return null;
	fields.push(field);
	return fields;
}

/** Validates and normalises one data line. */
export function transformLine(raw: string, line: number): ZipRow | Reject {
	const reject = (reason: string): Reject => ({ line, reason, raw: raw.length > 200 ? `${raw.slice(0, 200)}…` : raw });
	const fields = splitCsvLine(raw);
	if (fields === null) return reject("unterminated quoted field");
	if (fields.length !== ZIP_HEADER.length) return reject(`expected ${ZIP_HEADER.length} fields, found ${fields.length}`);
	const [zip, latText, lonText, city, state, county] = fields.map((f) => f.trim()) as [string, string, string, string, string, string];
	if (!/^\d{5}$/.test(zip)) return reject(`zip_code "${zip}" is not five digits`);
	const lat = Number(latText);
	const lon = Number(lonText);
	if (latText === "" || !Number.isFinite(lat) || lat < -90 || lat > 90) return reject(`latitude "${latText}" is not a number between -90 and 90`);
	if (lonText === "" || !Number.isFinite(lon) || lon < -180 || lon > 180) return reject(`longitude "${lonText}" is not a number between -180 and 180`);
	if (city === "") return reject("city is empty");
	if (!/^[A-Z]{2}$/.test(state)) return reject(`state "${state}" is not a two-letter code`);
	return { zip, lat, lon, city, state, county, region: REGION_OF.get(state) ?? "Territory" };
}

export function isReject(value: ZipRow | Reject): value is Reject {
	return "reason" in value;
}
