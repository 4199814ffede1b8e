/** The namespace of Vigil's custom metrics (cdk/lib/dashboard.ts graphs them). */
export const METRIC_NAMESPACE = 'Vigil';

/**
 * CloudWatch Embedded Metric Format: these fields, merged into a JSON log line, make CloudWatch Logs
 * count `metric` (Count, `value`) under the given dimensions — no PutMetricData call, no extra
 * permission, and the line stays a readable log entry. Dimension values are strings by EMF's rules.
 */
export function emfFields(
  metric: string,
  dimensions: Record<string, string>,
  value = 1,
  timestamp = Date.now(),
): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [Object.keys(dimensions)],
          Metrics: [{ Name: metric, Unit: 'Count' }],
        },
      ],
    },
    ...dimensions,
    [metric]: value,
  };
}
