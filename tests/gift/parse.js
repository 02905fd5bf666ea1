// Parses a GIFT file with gift-pegjs (an independent GIFT parser) and prints its questions as JSON, for
// tests/test_exchange.py. A syntax error prints "line L, column C: message" on stderr and exits 1.
"use strict";

const fs = require("fs");
const { parse } = require("gift-pegjs");

const text = fs.readFileSync(process.argv[2], "utf8");
try {
  process.stdout.write(JSON.stringify(parse(text)));
} catch (error) {
  const where = error.location ? `line ${error.location.start.line}, column ${error.location.start.column}: ` : "";
  process.stderr.write(`${where}${error.message}\n`);
  process.exit(1);
}
