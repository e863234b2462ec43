// Decode a Bitstring Status List with @digitalbazaar/vc-bitstring-status-list.
//
// stdin:  {encodedList, indexes: [int, ...]} (or a batch of them)
// stdout: {length, set: [indexes whose bit is set, from `indexes`]}
//         (with `all: true`, every set index in the list)
import {decodeList} from '@digitalbazaar/vc-bitstring-status-list';

import {main} from './common.mjs';

await main(async ({encodedList, indexes = [], all = false}) => {
  const list = await decodeList({encodedList});
  const candidates = all ? [...Array(list.length).keys()] : indexes;
  return {length: list.length, set: candidates.filter(i => list.getStatus(i))};
});
