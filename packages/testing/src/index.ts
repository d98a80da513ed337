export { buildServer, type ServerProcess, startServerProcess } from './server-process.js';
