export { escapeHtml, renderChecksHtml, renderFrameworkHtml } from './html.js';
export {
  buildReport,
  renderJson,
  REPORT_FORMAT,
  REPORT_VERSION,
  type PostureReport,
  type ReportCheck,
  type ReportResult,
} from './json.js';
