// The model package to S3 under its content address: a key that exists already holds the same bytes, so
// it is not uploaded again. lib-storage's Upload streams the file in parts (multipart above 5 MB) and is
// aborted with the deploy's signal.
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { s3ClientConfig } from '../aws/clients';
import { awsProblem } from '../aws/errors';
import type { SageMakerProfile } from '../aws/profile';
import { buildPackage, packageKey, type PackagePlan } from './sagemaker-package';

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

async function exists(s3: S3Client, bucket: string, key: string, signal: AbortSignal): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return true;
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if ((e as Error).name === 'NotFound' || status === 404) return false;
    throw awsProblem(e, `look for the model package at s3://${bucket}/${key}`);
  }
}

/** Returns the package's s3:// URL, uploading it only when its key is not there yet. */
export async function uploadPackage(
  profile: SageMakerProfile & { bucket: string },
  modelFile: string,
  plan: PackagePlan,
  progress: (msg: string) => void,
  signal: AbortSignal,
): Promise<string> {
  const key = packageKey(profile.prefix, plan.digest);
  const url = `s3://${profile.bucket}/${key}`;
  const s3 = new S3Client(s3ClientConfig(profile));
  try {
    if (await exists(s3, profile.bucket, key, signal)) {
      progress(`model unchanged: using ${url}`);
      return url;
    }
    const pkg = await buildPackage(modelFile, plan);
    try {
      progress(`uploading ${mb(pkg.size)} to ${url}`);
      const upload = new Upload({ client: s3, params: { Bucket: profile.bucket, Key: key, Body: createReadStream(pkg.file), ContentType: 'application/gzip' } });
      let last = 0;
      upload.on('httpUploadProgress', ({ loaded }) => {
        if (loaded !== undefined && pkg.size > 0 && loaded - last >= pkg.size / 10 && loaded < pkg.size) {
          last = loaded;
          progress(`uploaded ${mb(loaded)} of ${mb(pkg.size)}`);
        }
      });
      const abort = () => void upload.abort();
      signal.addEventListener('abort', abort, { once: true });
      try {
        if (signal.aborted) throw signal.reason;
        await upload.done();
      } catch (e) {
        throw awsProblem(signal.aborted ? Object.assign(new Error('aborted'), { name: 'AbortError' }) : e, `upload the model to ${url}`);
      } finally {
        signal.removeEventListener('abort', abort);
      }
    } finally {
      await rm(pkg.dir, { recursive: true, force: true });
    }
    return url;
  } finally {
    s3.destroy();
  }
}
