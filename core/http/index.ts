export * from "./errors";
export * from "./redact";
export * from "./pacing";
export * from "./httpClient";
export * from "./tokenCache";
