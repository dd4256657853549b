import { afterAll } from "vitest";
import { dropTestDatabases } from "./database";

// Runs in every integration test file: its databases go when its tests are done.
afterAll(dropTestDatabases);
