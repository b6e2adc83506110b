// The S3 side of a remote step: content-addressed uploads under `<prefix>/objects/<sha256>` that ask first
// (HeadObject) and send only what the bucket does not hold yet, and downloads of a job's output.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Semaphore } from '../engine/pool';
import type { BundleObject } from './bundle';

export interface S3Uri {
  bucket: string;
  /** Without a trailing slash; '' for the bucket's root. */
  key: string;
}

export function parseS3Uri(uri: string): S3Uri | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  return m ? { bucket: m[1]!, key: (m[2] ?? '').replace(/\/+$/, '') } : undefined;
}

export function s3Uri(loc: S3Uri, ...parts: string[]): string {
  return `s3://${loc.bucket}/${[loc.key, ...parts].filter(Boolean).join('/')}`;
}

export function objectKey(prefix: S3Uri, hash: string): string {
  return [prefix.key, 'objects', hash].filter(Boolean).join('/');
}

export interface UploadReport {
  sent: number;
  bytesSent: number;
  /** Objects the bucket held already, so they were not sent. */
  reused: number;
}

const notFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
};

/** Sends each object the bucket lacks (same key and size means same content: the key is its sha256). */
export async function uploadMissing(s3: S3Client, prefix: S3Uri, objects: BundleObject[], signal: AbortSignal): Promise<UploadReport> {
  const report: UploadReport = { sent: 0, bytesSent: 0, reused: 0 };
  const slots = new Semaphore(8);
  await Promise.all(
    objects.map((obj) =>
      slots.use(async () => {
        const Key = objectKey(prefix, obj.hash);
        try {
          const head = await s3.send(new HeadObjectCommand({ Bucket: prefix.bucket, Key }), { abortSignal: signal });
          if (head.ContentLength === obj.size) return void report.reused++;
        } catch (err) {
          if (!notFound(err)) throw err;
        }
        const Body = obj.text ?? fs.createReadStream(obj.abs!);
        const upload = new Upload({ client: s3, params: { Bucket: prefix.bucket, Key, Body, ContentLength: obj.size } });
        const abort = () => void upload.abort();
        signal.addEventListener('abort', abort, { once: true });
        try {
          await upload.done();
        } finally {
          signal.removeEventListener('abort', abort);
        }
        report.sent++;
        report.bytesSent += obj.size;
      }),
    ),
  );
  return report;
}

/** Streams one object into `file` (its folder is made). */
export async function downloadTo(s3: S3Client, uri: S3Uri, file: string, signal: AbortSignal): Promise<void> {
  const res = await s3.send(new GetObjectCommand({ Bucket: uri.bucket, Key: uri.key }), { abortSignal: signal });
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  await pipeline(res.Body as Readable, fs.createWriteStream(file), { signal });
}

/** Every object below a prefix, paged, as keys relative to it. */
export async function listUnder(s3: S3Client, prefix: S3Uri, signal: AbortSignal): Promise<string[]> {
  const base = prefix.key ? `${prefix.key}/` : '';
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: prefix.bucket, Prefix: base, ContinuationToken: token }), { abortSignal: signal });
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key.slice(base.length));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}
