// Compile a Solidity standard-JSON input with the npm `solc` package (solc-js).
// stdin: {"input": <standard JSON>, "roots": [dir, ...], "compiler": npm package (default "solc")}; stdout: {"version": ..., "output": <standard JSON output>}.
// Imports are resolved against each root in turn (the contracts folder, node_modules, our sources).
"use strict";
const fs = require("fs");
const path = require("path");
const request = JSON.parse(fs.readFileSync(0, "utf8"));
const solc = require(request.compiler || "solc");
const roots = request.roots;

function findImports(name) {
  for (const root of roots) {
    const full = path.resolve(root, name);
    if (!full.startsWith(path.resolve(root) + path.sep)) continue;
    if (fs.existsSync(full) && fs.statSync(full).isFile()) {
      return { contents: fs.readFileSync(full, "utf8") };
    }
  }
  return { error: "File not found: " + name };
}

const output = JSON.parse(solc.compile(JSON.stringify(request.input), { import: findImports }));
process.stdout.write(JSON.stringify({ version: solc.version(), output: output }));
