// S3's REST/XML protocol, path-style (`/<bucket>/<key>`), over an in-memory store: buckets must exist (a
// test creates them, or CreateBucket does), objects carry an MD5 ETag, and the calls the SDK makes for
// uploads and downloads are modelled: Put/Get/Head/Delete/ListObjectsV2, multipart upload (lib-storage's
// Upload uses it above 5 MB), and the `aws-chunked` bodies the SDK sends when it adds a trailing checksum.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeAwsError } from './server';

export interface S3Object {
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType?: string;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const md5 = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;

/** The payload of an `aws-chunked` body: `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n` … `0\r\n<trailers>\r\n\r\n`. */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) throw new Error('aws-chunked body ends inside a chunk header');
    const size = parseInt(body.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size)) throw new Error('aws-chunked chunk header has no size');
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

export class S3Store {
  readonly buckets = new Map<string, Map<string, S3Object>>();
  private readonly uploads = new Map<string, { bucket: string; key: string; parts: Map<number, Buffer> }>();

  createBucket(name: string): void {
    if (!this.buckets.has(name)) this.buckets.set(name, new Map());
  }

  get(bucket: string, key: string): S3Object | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  put(bucket: string, key: string, body: Buffer, contentType?: string): S3Object {
    const objects = this.buckets.get(bucket);
    if (!objects) throw new Error(`no bucket ${bucket}`);
    const object = { body, etag: md5(body), lastModified: new Date(), contentType };
    objects.set(key, object);
    return object;
  }

  keys(bucket: string, prefix = ''): string[] {
    return [...(this.buckets.get(bucket)?.keys() ?? [])].filter((k) => k.startsWith(prefix)).sort();
  }

  /** `record` logs the call and returns the failure a test queued for it, if any. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer, record: (target: string, input: Record<string, unknown>) => FakeAwsError | undefined): void {
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const key = decodeURIComponent(rest.join('/'));
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    const chunked = String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-') || String(req.headers['content-encoding'] ?? '').includes('aws-chunked');
    const body = chunked ? decodeAwsChunked(raw) : raw;

    const op = !key
      ? method === 'PUT' ? 'CreateBucket' : method === 'HEAD' ? 'HeadBucket' : method === 'GET' && q.get('list-type') === '2' ? 'ListObjectsV2' : `Bucket${method}`
      : method === 'POST' && q.has('uploads') ? 'CreateMultipartUpload'
      : method === 'PUT' && q.has('uploadId') ? 'UploadPart'
      : method === 'POST' && q.has('uploadId') ? 'CompleteMultipartUpload'
      : method === 'DELETE' && q.has('uploadId') ? 'AbortMultipartUpload'
      : ({ PUT: 'PutObject', GET: 'GetObject', HEAD: 'HeadObject', DELETE: 'DeleteObject' } as Record<string, string>)[method] ?? `Object${method}`;
    const failed = record(`S3.${op}`, { Bucket: bucket, Key: key, size: body.length, ...(q.get('prefix') !== null && { Prefix: q.get('prefix') }) });

    const xml = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${text}`);
    };
    const error = (status: number, code: string, message: string): void => {
      if (method !== 'HEAD') return xml(status, `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`);
      res.writeHead(status);
      res.end();
    };
    if (failed) return error(failed.status, failed.type, failed.message);

    if (op === 'CreateBucket') {
      this.createBucket(bucket);
      res.writeHead(200, { location: `/${bucket}` });
      return void res.end();
    }
    const objects = this.buckets.get(bucket);
    if (!objects) return error(404, 'NoSuchBucket', 'The specified bucket does not exist');

    switch (op) {
      case 'HeadBucket':
        res.writeHead(200);
        return void res.end();
      case 'ListObjectsV2': {
        const prefix = q.get('prefix') ?? '';
        const max = Number(q.get('max-keys') ?? 1000);
        const after = q.get('continuation-token') ?? q.get('start-after') ?? '';
        const all = this.keys(bucket, prefix).filter((k) => k > after);
        const page = all.slice(0, max);
        const truncated = all.length > page.length;
        const contents = page
          .map((k) => {
            const o = objects.get(k)!;
            return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
          })
          .join('');
        return xml(
          200,
          `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${xmlEscape(page.at(-1)!)}</NextContinuationToken>` : ''}${contents}</ListBucketResult>`,
        );
      }
      case 'PutObject': {
        const o = this.put(bucket, key, body, req.headers['content-type']);
        res.writeHead(200, { etag: o.etag });
        return void res.end();
      }
      case 'GetObject':
      case 'HeadObject': {
        const o = objects.get(key);
        if (!o) return error(404, 'NoSuchKey', 'The specified key does not exist.');
        res.writeHead(200, { etag: o.etag, 'content-length': o.body.length, 'last-modified': o.lastModified.toUTCString(), 'content-type': o.contentType ?? 'application/octet-stream' });
        return void res.end(op === 'GetObject' ? o.body : undefined);
      }
      case 'DeleteObject':
        objects.delete(key);
        res.writeHead(204);
        return void res.end();
      case 'CreateMultipartUpload': {
        const uploadId = randomUUID();
        this.uploads.set(uploadId, { bucket, key, parts: new Map() });
        return xml(200, `<InitiateMultipartUploadResult><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`);
      }
      case 'UploadPart': {
        const upload = this.uploads.get(q.get('uploadId')!);
        if (!upload) return error(404, 'NoSuchUpload', 'The specified upload does not exist.');
        upload.parts.set(Number(q.get('partNumber')), body);
        res.writeHead(200, { etag: md5(body) });
        return void res.end();
      }
      case 'CompleteMultipartUpload': {
        const id = q.get('uploadId')!;
        const upload = this.uploads.get(id);
        if (!upload) return error(404, 'NoSuchUpload', 'The specified upload does not exist.');
        this.uploads.delete(id);
        const numbers = [...upload.parts.keys()].sort((a, b) => a - b);
        const o = this.put(bucket, key, Buffer.concat(numbers.map((n) => upload.parts.get(n)!)));
        return xml(200, `<CompleteMultipartUploadResult><Location>/${xmlEscape(bucket)}/${xmlEscape(key)}</Location><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><ETag>${xmlEscape(o.etag)}</ETag></CompleteMultipartUploadResult>`);
      }
      case 'AbortMultipartUpload':
        this.uploads.delete(q.get('uploadId')!);
        res.writeHead(204);
        return void res.end();
      default:
        return error(405, 'MethodNotAllowed', `the fake does not model ${method} here`);
    }
  }
}
