/**
 * Writes the OpenAPI document the server publishes to the file named, for linters. The issuer
 * is a deployment's own; a placeholder of the reserved .test domain stands in for it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { buildOpenApiDocument } from '../src/openapi/document.js';

const [file = 'dist/openapi.json'] = process.argv.slice(2);
await mkdir(dirname(file), { recursive: true });
await writeFile(
  file,
  `${JSON.stringify(buildOpenApiDocument('https://issuer.timbrix.test'), null, 2)}\n`,
);
