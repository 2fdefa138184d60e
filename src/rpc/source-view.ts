import { SourceView } from '../../gen/ts/instruments/v1/instrument_service.js';
import { invalidArgument } from '../domain/service-error.js';

const ACCEPTED = [SourceView.SOURCE_VIEW_MERGED, SourceView.SOURCE_VIEW_LIVE, SourceView.SOURCE_VIEW_HISTORICAL];

/** The view a read asked for: unset means merged; anything else unknown is refused. */
export function sourceViewOf(view: SourceView): SourceView {
  if (view === SourceView.SOURCE_VIEW_UNSPECIFIED) return SourceView.SOURCE_VIEW_MERGED;
  if (!ACCEPTED.includes(view)) {
    throw invalidArgument(`view ${String(view)} is not a source view; accepted: SOURCE_VIEW_MERGED (default), SOURCE_VIEW_LIVE, SOURCE_VIEW_HISTORICAL`);
  }
  return view;
}
