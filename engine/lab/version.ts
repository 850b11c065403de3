// The running Engram version, from package.json, recorded in every run's provenance.
import { version } from '../../package.json';

export const ENGRAM_VERSION: string = version;
