/** Regenerates schema/stack.schema.json from the zod schema (npm run schema); a test fails while it is stale. */
import * as fs from "fs";
import * as path from "path";
import { STACK_FILE_SCHEMA_PATH, stackFileJsonSchemaText } from "../stacks/stack-file-schema";

const file = path.join(__dirname, "..", STACK_FILE_SCHEMA_PATH);
fs.writeFileSync(file, stackFileJsonSchemaText());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
