/** Names of things a test opened and has not closed yet; checked after every test file. */
export const openResources = new Set<string>();
