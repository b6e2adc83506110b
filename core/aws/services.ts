// Everything that talks to AWS, behind one module that callers load with `await import()`: the SDK is about
// 2 MB of JavaScript, and the CLI bundle evaluated it at every start (0.20 → 0.38 s for `flowbench --version`).
// scripts/build.mjs bundles this module on its own (dist/aws-services.js), so a CLI run that needs no AWS
// never reads it.
export { runRemoteStep } from '../sagemaker/remote-step';
export { deploySageMaker, refreshSageMaker, undeploySageMaker } from '../deploy/sagemaker-deploy';
export { sageMakerSeries } from '../deploy/sagemaker-metrics';
export { invokeSageMaker, sageMakerPayload } from '../deploy/sagemaker-runtime';
