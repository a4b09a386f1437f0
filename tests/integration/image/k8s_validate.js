// SPDX-License-Identifier: MIT
// Validates each document of a Kubernetes YAML file against the Kubernetes 1.27 OpenAPI schemas that the npm
// package kubernetes-models bundles (a test peer, installed under the build tree). Prints "valid KIND" or
// "invalid KIND: why" per document; exit 1 if any is invalid or of a kind it does not know.
// Usage: node k8s_validate.js NPM_DIR FILE
'use strict';
const fs = require('fs');
const path = require('path');
const [dir, file] = process.argv.slice(2);
const need = (m) => require(path.join(dir, 'node_modules', m));
const YAML = need('yaml');
const kinds = {
  Deployment: need('kubernetes-models/apps/v1').Deployment,
  Service: need('kubernetes-models/v1').Service,
};
let bad = 0;
for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
  const o = doc.toJS();
  const Kind = o && kinds[o.kind];
  if (!Kind) {
    console.log('invalid ' + (o && o.kind) + ': not a kind this check knows');
    bad++;
    continue;
  }
  try {
    new Kind(o).validate();
    console.log('valid ' + o.kind);
  } catch (e) {
    console.log('invalid ' + o.kind + ': ' + e.message);
    bad++;
  }
}
process.exit(bad ? 1 : 0);
