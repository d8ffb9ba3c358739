import { globMatchString } from "../glob";

describe("globMatch", () => {
  it("matches literals exactly and case-sensitively", () => {
    expect(globMatchString("postgres", "postgres")).toBe(true);
    expect(globMatchString("postgres", "Postgres")).toBe(false);
    expect(globMatchString("postgres", "postgres2")).toBe(false);
    expect(globMatchString("postgres", "postgre")).toBe(false);
  });
  it("handles empty patterns and names", () => {
    expect(globMatchString("", "")).toBe(true);
    expect(globMatchString("", "a")).toBe(false);
    expect(globMatchString("*", "")).toBe(true);
    expect(globMatchString("?", "")).toBe(false);
  });
  it("lets * match any run, including an empty one", () => {
    expect(globMatchString("*", "anything at all")).toBe(true);
    expect(globMatchString("kworker/*", "kworker/0:1")).toBe(true);
    expect(globMatchString("kworker/*", "kworker/")).toBe(true);
    expect(globMatchString("kworker/*", "kworker")).toBe(false);
    expect(globMatchString("*-test", "api-test")).toBe(true);
    expect(globMatchString("*-test", "api-testing")).toBe(false);
    expect(globMatchString("*org.elasticsearch*", "java -cp x org.elasticsearch.bootstrap.Elasticsearch")).toBe(true);
  });
  it("backtracks across several stars", () => {
    expect(globMatchString("a*b*c", "a-x-b-y-c")).toBe(true);
    expect(globMatchString("a*b*c", "a-x-c-y-b")).toBe(false);
    expect(globMatchString("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")).toBe(false);
    expect(globMatchString("**x", "yyx")).toBe(true);
  });
  it("lets ? match one code point, multibyte included", () => {
    expect(globMatchString("php-fpm?", "php-fpm8")).toBe(true);
    expect(globMatchString("caf?", "café")).toBe(true);
    expect(globMatchString("caf??", "café")).toBe(false);
    expect(globMatchString("?-worker", "日-worker")).toBe(true);
    expect(globMatchString("*日本*", "app-日本-svc")).toBe(true);
    expect(globMatchString("app-?", "app-😀")).toBe(true);
  });
});
