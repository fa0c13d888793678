// `npx weft dev` in this folder serves the ETL workflow with the API and the dashboard;
// `npx weft workflows trigger etl` then loads the postal codes into .weft/warehouse.db.
import type { WeftConfig } from "@weft/server";

export default {
	main: "./workflow.ts",
	workflows: [{ name: "etl", binding: "ETL", class_name: "EtlWorkflow" }],
	vars: { WAREHOUSE_DB: ".weft/warehouse.db" },
} satisfies WeftConfig;
