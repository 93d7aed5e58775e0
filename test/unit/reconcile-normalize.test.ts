import { describe, expect, it } from "vitest";
import { compileMatcher, globToRegExp, isGlob } from "../../core/reconcile/glob";
import { externalIdOf } from "../../core/model/tenant";
import { groupNameKey, normalizeName, OKTA_ID_PATTERN } from "../../core/reconcile/normalize";

describe("normalizeName", () => {
  it("trims and lower-cases", () => {
    expect(normalizeName("  John.Doe@Example.COM\t")).toBe("john.doe@example.com");
  });
  it("folds fullwidth letters (NFKC)", () => {
    expect(normalizeName("ｊｏｈｎ.doe@example.com")).toBe("john.doe@example.com");
  });
  it("equates composed and decomposed é", () => {
    const composed = "ren\u00e9@example.com";
    const decomposed = "rene\u0301@example.com";
    expect(composed).not.toBe(decomposed);
    expect(normalizeName(decomposed)).toBe(normalizeName(composed));
    expect(normalizeName(decomposed)).toBe("ren\u00e9@example.com");
  });
  it("trims Unicode whitespace (ideographic space, no-break space)", () => {
    expect(normalizeName("\u3000a@b.c\u00a0")).toBe("a@b.c");
  });
  it("does not treat different letters as equal", () => {
    expect(normalizeName("rene@example.com")).not.toBe(normalizeName("rené@example.com"));
  });
});

describe("groupNameKey", () => {
  it("is exact by default", () => {
    expect(groupNameKey(" Data Eng", false)).toBe(" Data Eng");
  });
  it("normalises when case-insensitive", () => {
    expect(groupNameKey(" Data Eng", true)).toBe("data eng");
  });
});

describe("externalIdOf", () => {
  it("treats undefined, null and empty string as unset", () => {
    expect(externalIdOf(undefined)).toBeNull();
    expect(externalIdOf(null)).toBeNull();
    expect(externalIdOf("")).toBeNull();
  });
  it("keeps whitespace-only values (they are foreign, not unset)", () => {
    expect(externalIdOf(" ")).toBe(" ");
  });
});

describe("OKTA_ID_PATTERN", () => {
  it("accepts user and group ids of 20 characters", () => {
    expect(OKTA_ID_PATTERN.test("00ukwqsl25lkstK6K1d7")).toBe(true);
    expect(OKTA_ID_PATTERN.test("00g1a2b3c4d5e6f7g8h9")).toBe(true);
  });
  it("rejects GUIDs, app ids and wrong lengths", () => {
    expect(OKTA_ID_PATTERN.test("3f2504e0-4f89-11d3-9a0c-0305e82c3301")).toBe(false);
    expect(OKTA_ID_PATTERN.test("0oakwqsl25lkstK6K1d7")).toBe(false);
    expect(OKTA_ID_PATTERN.test("00ukwqsl25lkstK6K1d")).toBe(false);
  });
});

describe("glob", () => {
  it("detects globs", () => {
    expect(isGlob("a*")).toBe(true);
    expect(isGlob("a?")).toBe(true);
    expect(isGlob("a.b")).toBe(false);
  });
  it("* matches any run including empty, ? exactly one character", () => {
    const re = globToRegExp("svc-*@corp.?om");
    expect(re.test("svc-@corp.com")).toBe(true);
    expect(re.test("svc-etl-1@corp.com")).toBe(true);
    expect(re.test("svc-etl@corp.coom")).toBe(false);
    expect(re.test("svc-etl@corpXcom")).toBe(false); // "." is literal
    expect(globToRegExp("a?").test("aé")).toBe(true); // one code point
    expect(globToRegExp("a?").test("a")).toBe(false);
  });
  it("treats regex syntax as literal", () => {
    const re = globToRegExp("team (a|b) [x]+$");
    expect(re.test("team (a|b) [x]+$")).toBe(true);
    expect(re.test("team a")).toBe(false);
  });
  it("compiles exact and glob patterns with a key function", () => {
    const m = compileMatcher(["Break-Glass-*", "admin@corp.com"], normalizeName);
    expect(m.matches("break-glass-1@corp.com")).toBe(true);
    expect(m.matches(" ADMIN@corp.com")).toBe(true);
    expect(m.matches("admin2@corp.com")).toBe(false);
    expect(compileMatcher(undefined).matches("x")).toBe(false);
    expect(compileMatcher(["Ops"]).matches("ops")).toBe(false); // exact by default
  });
});
