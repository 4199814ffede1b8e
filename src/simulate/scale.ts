/** How busy Acme is: `small` for tests and demos, `medium` (~1–3 million records in three weeks) for `npm run eval`. */
export interface Scale {
  webServers: number;
  appServers: number;
  ciRunsPerDay: number;
  ciCallsPerRun: number;
  etlObjectsPerNight: number;
  ssmEveryHours: number;
  configCallsPerDay: number;
  devCallsPerDay: number;
  /** Internet clients reaching the load balancers per 10-minute window. */
  webClientsPerWindow: number;
  /** DNS lookups per instance per 10-minute window. */
  dnsPerInstancePerWindow: number;
  /** Internet scanner and SSH-noise connections per public address per hour. */
  scansPerHour: number;
}

export const SCALES: Record<'small' | 'medium', Scale> = {
  small: {
    webServers: 2,
    appServers: 1,
    ciRunsPerDay: 2,
    ciCallsPerRun: 60,
    etlObjectsPerNight: 300,
    ssmEveryHours: 6,
    configCallsPerDay: 40,
    devCallsPerDay: 10,
    webClientsPerWindow: 10,
    dnsPerInstancePerWindow: 1,
    scansPerHour: 4,
  },
  medium: {
    webServers: 6,
    appServers: 4,
    ciRunsPerDay: 8,
    ciCallsPerRun: 250,
    etlObjectsPerNight: 4000,
    ssmEveryHours: 1,
    configCallsPerDay: 600,
    devCallsPerDay: 40,
    webClientsPerWindow: 150,
    dnsPerInstancePerWindow: 6,
    scansPerHour: 30,
  },
};
