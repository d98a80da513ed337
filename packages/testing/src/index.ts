export {
  buildServer,
  type ServerProcess,
  startServerProcess,
  waitForHealth,
} from './server-process.js';
