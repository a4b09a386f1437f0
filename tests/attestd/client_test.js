// SPDX-License-Identifier: MIT
// The official Azure Attestation JavaScript client (@azure/attestation) against cella-attestd, unchanged:
// attestation with the client's own token checks, policy get/set/reset through the administration client, and
// the same token-validation code over the saved real MAA token.
// node client_test.js BASE_URL VECTORS_DIR ADMIN_TOKEN
"use strict";
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const { AttestationClient, AttestationAdministrationClient } = require("@azure/attestation");

const [base, vec, adminToken] = process.argv.slice(2);
let failures = 0;
function check(cond, what) {
  console.log((cond ? "PASS " : "FAIL ") + what);
  if (!cond) failures++;
}
const credential = (tok) => ({ getToken: async () => ({ token: tok, expiresOnTimestamp: Date.now() + 3600e3 }) });
const b64u = (b) => Buffer.from(b).toString("base64url");
const DENY_DEBUG =
  'version= 1.0;authorizationrules{[type=="x-ms-sgx-is-debuggable", value==true] => deny(); => permit();};' +
  'issuancerules{c:[type=="x-ms-sgx-mrsigner"] => issue(type="signer", value=c.value);};';

async function main() {
  const v = "openenclave_attestation_plugin_2022";
  const quote = fs.readFileSync(path.join(vec, v, "quote.bin"));
  const body = quote.subarray(48, 432);
  const validation = { validateToken: true, validateExpirationTime: true, validateNotBeforeTime: true,
                       validateIssuer: true, expectedIssuer: base, timeValidationSlack: 5 };
  const client = new AttestationClient(base, { validationOptions: validation });

  const md = await client.getOpenIdMetadata();
  check(md.issuer === base && md.jwks_uri === base + "/certs", "getOpenIdMetadata");
  const signers = await client.getAttestationSigners();
  check(signers.length === 1 && signers[0].certificates.length === 1 && signers[0].keyId, "getAttestationSigners");

  // attestSgxEnclave: the client validates the token (signature with the /certs key, times, issuer) itself
  const r = await client.attestSgxEnclave(quote, { runTimeData: Buffer.alloc(0) });
  const claims = r.token.getBody();
  check(r.token.algorithm === "RS256" && r.token.keyId === signers[0].keyId, "attestSgxEnclave: RS256 token, kid of /certs");
  check(claims["x-ms-sgx-mrenclave"] === body.subarray(64, 96).toString("hex") &&
        claims["x-ms-sgx-mrsigner"] === body.subarray(128, 160).toString("hex") &&
        claims["x-ms-sgx-is-debuggable"] === true && claims["x-ms-sgx-svn"] === 1 && claims["x-ms-sgx-product-id"] === 1 &&
        claims["x-ms-sgx-ehd"] === "" && claims["tee"] === "sgx" &&
        claims["x-ms-policy-hash"] === "ViVGS4BYl70X8eUrgryHg0TtbEk9WtIc6DtTBEFxaWc" &&
        claims["x-ms-sgx-collateral"].quotehash === crypto.createHash("sha256").update(quote).digest("hex"),
        "attestSgxEnclave: MAA claims (mrenclave, mrsigner, debuggable, svn, ehd, policy hash, collateral)");
  check(r.body.issuer === base && r.body.uniqueId === claims.jti, "attestSgxEnclave: AttestationResult body");

  const oe = Buffer.concat([Buffer.from([1, 0, 0, 0, 2, 0, 0, 0]), Buffer.alloc(8), quote]);
  oe.writeBigUInt64LE(BigInt(quote.length), 8);
  const r2 = await client.attestOpenEnclave(oe, { runTimeJson: undefined });
  check(r2.token.getBody()["x-ms-sgx-svn"] === 1, "attestOpenEnclave with an OE report");

  let threw = null;
  try {
    await client.attestSgxEnclave(quote, { runTimeData: Buffer.from("not bound") });
  } catch (e) {
    threw = e;
  }
  check(threw && threw.statusCode === 400 && threw.code === "InvalidParameter", "unbound runTimeData: client sees MAA's error");

  // administration: bearer credential
  const admin = new AttestationAdministrationClient(base, credential(adminToken), { validationOptions: validation });
  const p0 = await admin.getPolicy("SgxEnclave");
  check(p0.body.startsWith("version= 1.1;configurationrules"), "getPolicy: the default policy text");
  const set = await admin.setPolicy("SgxEnclave", DENY_DEBUG);
  check(set.body.policyResolution === "Updated", "setPolicy: Updated");
  // the check MAA documents: the hash of the policy JWS we sent equals x-ms-policy-token-hash
  const sent = `${b64u(JSON.stringify({ alg: "none" }))}.${b64u(JSON.stringify({ AttestationPolicy: b64u(DENY_DEBUG) }))}.`;
  check(Buffer.from(set.body.policyTokenHash).toString("base64url") ===
        crypto.createHash("sha256").update(sent).digest("base64url"), "setPolicy: policyTokenHash of the sent JWS");
  const p1 = await admin.getPolicy("SgxEnclave");
  check(p1.body === DENY_DEBUG, "getPolicy returns the new policy");
  threw = null;
  try {
    await client.attestSgxEnclave(quote);
  } catch (e) {
    threw = e;
  }
  check(threw && threw.code === "PolicyEvaluationError", "the new policy denies this debug enclave");
  const reset = await admin.resetPolicy("SgxEnclave");
  check(reset.body.policyResolution === "Removed", "resetPolicy: Removed");
  const r3 = await client.attestSgxEnclave(quote);
  check(r3.token.getBody()["x-ms-policy-hash"] === "ViVGS4BYl70X8eUrgryHg0TtbEk9WtIc6DtTBEFxaWc", "default policy after reset");

  threw = null;
  try {
    await new AttestationAdministrationClient(base, credential("wrong")).setPolicy("SgxEnclave", DENY_DEBUG);
  } catch (e) {
    threw = e;
  }
  check(threw && threw.statusCode === 401, "setPolicy with a wrong credential: 401");

  // the client's own token validation over the real Azure Attestation token and its signing certificate
  const TokenImpl = r.token.constructor;
  const real = fs.readFileSync(path.join(vec, "maa", "token_sgx_runtimejson_shared_2022-11-17.jwt"), "utf8").trim();
  const der = fs.readFileSync(path.join(vec, "maa", "sharedwus_cert_XxRc.der"));
  const pem = "-----BEGIN CERTIFICATE-----\n" + der.toString("base64").match(/.{1,64}/g).join("\n") + "\n-----END CERTIFICATE-----\n";
  const realSigner = [{ keyId: "XxRc2vLh1E5FrsNawnRH3PzuFgqg3q7NvCdnjoJHBGE=", certificates: [pem] }];
  const opts = { validateToken: true, validateExpirationTime: false, validateNotBeforeTime: false, validateIssuer: true,
                 expectedIssuer: "https://sharedwus.wus.attest.azure.net" };
  const problems = new TokenImpl(real).getTokenProblems(realSigner, opts);
  check(problems.length === 0, "real MAA token accepted by the client's validation (" + problems.join(";") + ")");
  const parts = real.split(".");
  const body2 = JSON.parse(Buffer.from(parts[1], "base64url"));
  body2["x-ms-sgx-svn"] = 2;
  const forged = [parts[0], b64u(JSON.stringify(body2)), parts[2]].join(".");
  check(new TokenImpl(forged).getTokenProblems(realSigner, opts).length > 0, "altered real MAA token refused");
  let refused;
  try {
    refused = new TokenImpl(real).getTokenProblems(signers, opts).length > 0;
  } catch (e) {
    refused = true; // jsrsasign throws when no candidate key fits: also a refusal
  }
  check(refused, "real MAA token refused under cella-attestd's key");
}

main().then(() => process.exit(failures ? 1 : 0), (e) => { console.log("FAIL exception: " + (e.stack || e)); process.exit(1); });
