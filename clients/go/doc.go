// Package mirror keeps a local, always-current copy of the instruments an
// instruments.v1.InstrumentService serves, so that hot paths (order entry, risk, market-data
// normalisation) look instruments up in memory instead of calling the service.
//
// A Mirror builds its state from one WatchChanges stream: the initial snapshot, then every
// change batch. When the stream breaks it resumes after the last revision it applied (so no change
// is lost or applied twice, and nothing is re-downloaded); when the server can no longer resume it
// (OUT_OF_RANGE) it takes a fresh snapshot. Errors that retrying cannot fix (a bad token, a bad
// filter) stop it and are reported, rather than retried forever.
//
// The state equals ListInstruments with view SOURCE_VIEW_LIVE at the mirror's Revision: WatchChanges
// follows the live view, so instruments known only from history are not mirrored.
//
// Definitions returned by lookups are shared with the mirror and with other callers: treat them as
// read-only (use proto.Clone before changing one). The mirror never modifies a definition it has
// handed out; a change replaces it, so a definition you hold stays a consistent picture of the
// instrument at the revision you read it.
package mirror
