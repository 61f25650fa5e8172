// Entry point of the IIFE bundle: publishes the API on window.FabflowEditor.
import { create, pathToRange, resolvePath, parsePointer, formatPath, version } from "./flow-editor.js";

const api = { create, pathToRange, resolvePath, parsePointer, formatPath, version };
globalThis.FabflowEditor = api;
export default api;
