// Run by `npm run build` after tsc: writes dist/enrich/asn-ipv{4,6}.bin, the binary form of the bundled
// ASN tables (src/enrich/asn-binary.ts), unless they are already current. Loading the binary instead of
// parsing the CSV saves about a second and ~50 MB of peak memory on the first ASN lookup.
import { buildAsnCache } from '../dist/enrich/asn-cache.js';
import { bundledGeoFiles } from '../dist/enrich/geo.js';

const { asnV4, asnV6 } = bundledGeoFiles();
const written = buildAsnCache({ v4: asnV4, v6: asnV6 });
if (written.length) console.error(`built ${written.join(', ')}`);
