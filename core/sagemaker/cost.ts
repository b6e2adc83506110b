// An estimate of what a job cost, from a small table of on-demand list prices (USD per instance-hour,
// us-east-1, SageMaker training/processing, as published when this table was written). It is an estimate
// for the run record, not a bill: regions, savings plans and price changes are not modelled, and an
// instance type missing here gives no estimate rather than a wrong one. Spot savings show through
// BillableTimeInSeconds, which SageMaker reports lower than the training time for a spot job.
export const HOURLY_USD: Readonly<Record<string, number>> = {
  'ml.t3.medium': 0.05,
  'ml.t3.large': 0.1,
  'ml.m5.large': 0.115,
  'ml.m5.xlarge': 0.23,
  'ml.m5.2xlarge': 0.461,
  'ml.m5.4xlarge': 0.922,
  'ml.c5.xlarge': 0.204,
  'ml.c5.2xlarge': 0.408,
  'ml.c5.4xlarge': 0.816,
  'ml.g4dn.xlarge': 0.736,
  'ml.g5.xlarge': 1.408,
  'ml.g5.2xlarge': 1.515,
  'ml.p3.2xlarge': 3.825,
};

/** USD for `billableSeconds` on each of `count` instances, to the micro-dollar (a test job bills cents); undefined when unknown. */
export function estimateCostUsd(instanceType: string, count: number, billableSeconds: number | undefined): number | undefined {
  const hourly = HOURLY_USD[instanceType];
  if (hourly === undefined || billableSeconds === undefined) return undefined;
  return Math.round(((hourly * count * billableSeconds) / 3600) * 1e6) / 1e6;
}
