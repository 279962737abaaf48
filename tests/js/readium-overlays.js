#!/usr/bin/env node
// Opens an EPUB with Readium's parser (r2-shared-js, the engine of Thorium Reader) and prints,
// as JSON, what a Readium reading system finds of its Media Overlays: each spine item's
// overlay (its SMIL, the clips flattened in reading order) and durations, and the book's.
// Used by tests/test_narrated.py; never shipped.
"use strict";

const { EpubParsePromise, getMediaOverlay } = require("r2-shared-js/dist/es8-es2017/src/parser/epub");

/** Every leaf of a media overlay tree (a par), in document order, with its own roles
 * (epub:type, as Readium read it) and those of the seqs around it. */
function pars(node, out, within) {
  const roles = node.Role || [];
  const children = node.Children || [];
  if (children.length === 0) {
    out.push({
      text: node.Text || null,
      audio: node.Audio || null,
      begin: node.AudioClipBegin === undefined ? null : node.AudioClipBegin,
      end: node.AudioClipEnd === undefined ? null : node.AudioClipEnd,
      roles,
      within,
    });
  }
  for (const child of children) {
    pars(child, out, within.concat(roles));
  }
  return out;
}

async function main() {
  const path = process.argv[2];
  if (!path) {
    throw new Error("usage: node readium-overlays.js BOOK.epub");
  }
  const publication = await EpubParsePromise(path);
  const spine = [];
  for (const link of publication.Spine || []) {
    let overlay = null;
    if (link.MediaOverlays) {
      const mo = await getMediaOverlay(publication, link.Href);
      overlay = { smil: mo.SmilPathInZip || null, pars: pars(mo, [], []) };
    }
    spine.push({ href: link.Href, duration: link.Duration === undefined ? null : link.Duration, overlay });
  }
  const metadata = publication.Metadata || {};
  const mo = metadata.MediaOverlay || {};
  const narrators = (metadata.Narrator || []).map((n) => (typeof n.Name === "string" ? n.Name : JSON.stringify(n.Name)));
  process.stdout.write(
    JSON.stringify(
      {
        duration: metadata.Duration === undefined ? null : metadata.Duration,
        activeClass: mo.ActiveClass || null,
        narrators,
        spine,
      },
      null,
      1,
    ) + "\n",
  );
}

main().catch((err) => {
  process.stderr.write(`readium-overlays: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
