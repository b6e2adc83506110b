// A reader for a tracking location. The SQLite one loads a native module: only the CLI process calls this
// for sqlite locations (the extension asks the CLI in a child process instead).
import { fileStoreReader, type FileStoreOptions } from './file-store';
import type { TrackingLocation } from './locate';
import type { MlflowReader } from './model';
import { restReader, type RestOptions } from './rest';

export async function openReader(location: TrackingLocation, rest: RestOptions = {}, files: FileStoreOptions = {}): Promise<MlflowReader> {
  switch (location.kind) {
    case 'file':
      return fileStoreReader(location.dir, location.uri, files);
    case 'rest':
      return restReader(location.url, rest);
    case 'sqlite': {
      const { sqliteReader } = await import('./sqlite-store');
      return sqliteReader(location.file, location.uri);
    }
  }
}
