// Validates an AsyncAPI document with the official parser: prints {errors, warnings} as JSON
// and exits non-zero if the document has errors. Usage: node validate-asyncapi.mjs FILE
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";

const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(process.argv[2], "utf8"));
const describe = (d) => ({ code: d.code, message: d.message, path: d.path.join("/") });
const errors = diagnostics.filter((d) => d.severity === 0).map(describe);
const warnings = diagnostics.filter((d) => d.severity === 1).map(describe);
console.log(JSON.stringify({ version: document?.version() ?? null, errors, warnings }));
process.exit(document && errors.length === 0 ? 0 : 1);
