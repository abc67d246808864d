// Where the sign-in page may send the browser afterwards (signin.js): a page of this
// origin, never another host however the address is dressed up.
import "./page.js";
import test from "node:test";
import assert from "node:assert/strict";
import { sameOrigin } from "../../dashboard/assets/js/signin.js";

const ORIGIN = "http://127.0.0.1:8050";

test("a path of this origin is kept, with its query and fragment", () => {
  assert.equal(sameOrigin("/inspector?bcu=AW#x", ORIGIN), "/inspector?bcu=AW#x");
  assert.equal(sameOrigin("/wall", ORIGIN), "/wall");
});

test("other hosts, however written, and the sign-in page itself are refused", () => {
  for (const next of ["//evil.example", "/\\evil.example", "/\t/evil.example", "/.//evil.example", "https://evil.example/",
    "evil", "", null, "/signin?next=/wall", "/\u0000"]) {
    assert.equal(sameOrigin(next, ORIGIN), null, String(next));
  }
});
