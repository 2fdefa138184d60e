import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from instruments.v1 import instrument_pb2 as _instrument_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SourceView(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SOURCE_VIEW_UNSPECIFIED: _ClassVar[SourceView]
    SOURCE_VIEW_MERGED: _ClassVar[SourceView]
    SOURCE_VIEW_LIVE: _ClassVar[SourceView]
    SOURCE_VIEW_HISTORICAL: _ClassVar[SourceView]

class ChangeType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANGE_TYPE_UNSPECIFIED: _ClassVar[ChangeType]
    CHANGE_TYPE_ADDED: _ClassVar[ChangeType]
    CHANGE_TYPE_UPDATED: _ClassVar[ChangeType]
    CHANGE_TYPE_REMOVED: _ClassVar[ChangeType]

class RemovalReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REMOVAL_REASON_UNSPECIFIED: _ClassVar[RemovalReason]
    REMOVAL_REASON_EXPIRED: _ClassVar[RemovalReason]
    REMOVAL_REASON_DELISTED: _ClassVar[RemovalReason]

class ExchangeState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXCHANGE_STATE_UNSPECIFIED: _ClassVar[ExchangeState]
    EXCHANGE_STATE_LOADING: _ClassVar[ExchangeState]
    EXCHANGE_STATE_READY: _ClassVar[ExchangeState]
    EXCHANGE_STATE_FAILED: _ClassVar[ExchangeState]
SOURCE_VIEW_UNSPECIFIED: SourceView
SOURCE_VIEW_MERGED: SourceView
SOURCE_VIEW_LIVE: SourceView
SOURCE_VIEW_HISTORICAL: SourceView
CHANGE_TYPE_UNSPECIFIED: ChangeType
CHANGE_TYPE_ADDED: ChangeType
CHANGE_TYPE_UPDATED: ChangeType
CHANGE_TYPE_REMOVED: ChangeType
REMOVAL_REASON_UNSPECIFIED: RemovalReason
REMOVAL_REASON_EXPIRED: RemovalReason
REMOVAL_REASON_DELISTED: RemovalReason
EXCHANGE_STATE_UNSPECIFIED: ExchangeState
EXCHANGE_STATE_LOADING: ExchangeState
EXCHANGE_STATE_READY: ExchangeState
EXCHANGE_STATE_FAILED: ExchangeState

class CcxtSymbolLookup(_message.Message):
    __slots__ = ("ccxt_exchange", "ccxt_symbol")
    CCXT_EXCHANGE_FIELD_NUMBER: _ClassVar[int]
    CCXT_SYMBOL_FIELD_NUMBER: _ClassVar[int]
    ccxt_exchange: str
    ccxt_symbol: str
    def __init__(self, ccxt_exchange: _Optional[str] = ..., ccxt_symbol: _Optional[str] = ...) -> None: ...

class RawSymbolLookup(_message.Message):
    __slots__ = ("venue", "exchange_raw_symbol")
    VENUE_FIELD_NUMBER: _ClassVar[int]
    EXCHANGE_RAW_SYMBOL_FIELD_NUMBER: _ClassVar[int]
    venue: str
    exchange_raw_symbol: str
    def __init__(self, venue: _Optional[str] = ..., exchange_raw_symbol: _Optional[str] = ...) -> None: ...

class TardisSymbolLookup(_message.Message):
    __slots__ = ("tardis_exchange", "tardis_symbol")
    TARDIS_EXCHANGE_FIELD_NUMBER: _ClassVar[int]
    TARDIS_SYMBOL_FIELD_NUMBER: _ClassVar[int]
    tardis_exchange: str
    tardis_symbol: str
    def __init__(self, tardis_exchange: _Optional[str] = ..., tardis_symbol: _Optional[str] = ...) -> None: ...

class GetInstrumentRequest(_message.Message):
    __slots__ = ("instrument_key", "ccxt", "raw", "tardis", "view", "as_of")
    INSTRUMENT_KEY_FIELD_NUMBER: _ClassVar[int]
    CCXT_FIELD_NUMBER: _ClassVar[int]
    RAW_FIELD_NUMBER: _ClassVar[int]
    TARDIS_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    instrument_key: str
    ccxt: CcxtSymbolLookup
    raw: RawSymbolLookup
    tardis: TardisSymbolLookup
    view: SourceView
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, instrument_key: _Optional[str] = ..., ccxt: _Optional[_Union[CcxtSymbolLookup, _Mapping]] = ..., raw: _Optional[_Union[RawSymbolLookup, _Mapping]] = ..., tardis: _Optional[_Union[TardisSymbolLookup, _Mapping]] = ..., view: _Optional[_Union[SourceView, str]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetInstrumentResponse(_message.Message):
    __slots__ = ("instrument", "revision")
    INSTRUMENT_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    instrument: _instrument_pb2.InstrumentDefinition
    revision: int
    def __init__(self, instrument: _Optional[_Union[_instrument_pb2.InstrumentDefinition, _Mapping]] = ..., revision: _Optional[int] = ...) -> None: ...

class BatchGetInstrumentsRequest(_message.Message):
    __slots__ = ("instrument_keys", "view")
    INSTRUMENT_KEYS_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    instrument_keys: _containers.RepeatedScalarFieldContainer[str]
    view: SourceView
    def __init__(self, instrument_keys: _Optional[_Iterable[str]] = ..., view: _Optional[_Union[SourceView, str]] = ...) -> None: ...

class BatchGetInstrumentsResponse(_message.Message):
    __slots__ = ("instruments", "not_found_keys", "revision")
    INSTRUMENTS_FIELD_NUMBER: _ClassVar[int]
    NOT_FOUND_KEYS_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    instruments: _containers.RepeatedCompositeFieldContainer[_instrument_pb2.InstrumentDefinition]
    not_found_keys: _containers.RepeatedScalarFieldContainer[str]
    revision: int
    def __init__(self, instruments: _Optional[_Iterable[_Union[_instrument_pb2.InstrumentDefinition, _Mapping]]] = ..., not_found_keys: _Optional[_Iterable[str]] = ..., revision: _Optional[int] = ...) -> None: ...

class InstrumentFilter(_message.Message):
    __slots__ = ("venues", "ccxt_exchanges", "instrument_types", "base_assets", "quote_assets", "settle_assets", "active", "instrument_keys")
    VENUES_FIELD_NUMBER: _ClassVar[int]
    CCXT_EXCHANGES_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    BASE_ASSETS_FIELD_NUMBER: _ClassVar[int]
    QUOTE_ASSETS_FIELD_NUMBER: _ClassVar[int]
    SETTLE_ASSETS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_KEYS_FIELD_NUMBER: _ClassVar[int]
    venues: _containers.RepeatedScalarFieldContainer[str]
    ccxt_exchanges: _containers.RepeatedScalarFieldContainer[str]
    instrument_types: _containers.RepeatedScalarFieldContainer[_instrument_pb2.InstrumentType]
    base_assets: _containers.RepeatedScalarFieldContainer[str]
    quote_assets: _containers.RepeatedScalarFieldContainer[str]
    settle_assets: _containers.RepeatedScalarFieldContainer[str]
    active: bool
    instrument_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, venues: _Optional[_Iterable[str]] = ..., ccxt_exchanges: _Optional[_Iterable[str]] = ..., instrument_types: _Optional[_Iterable[_Union[_instrument_pb2.InstrumentType, str]]] = ..., base_assets: _Optional[_Iterable[str]] = ..., quote_assets: _Optional[_Iterable[str]] = ..., settle_assets: _Optional[_Iterable[str]] = ..., active: _Optional[bool] = ..., instrument_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class ListInstrumentsRequest(_message.Message):
    __slots__ = ("filter", "page_size", "page_token", "view")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    filter: InstrumentFilter
    page_size: int
    page_token: str
    view: SourceView
    def __init__(self, filter: _Optional[_Union[InstrumentFilter, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., view: _Optional[_Union[SourceView, str]] = ...) -> None: ...

class ListInstrumentsResponse(_message.Message):
    __slots__ = ("instruments", "next_page_token", "revision")
    INSTRUMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    instruments: _containers.RepeatedCompositeFieldContainer[_instrument_pb2.InstrumentDefinition]
    next_page_token: str
    revision: int
    def __init__(self, instruments: _Optional[_Iterable[_Union[_instrument_pb2.InstrumentDefinition, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., revision: _Optional[int] = ...) -> None: ...

class InstrumentChange(_message.Message):
    __slots__ = ("change_type", "instrument_key", "instrument", "previous", "changed_fields", "removal_reason")
    CHANGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_KEY_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    REMOVAL_REASON_FIELD_NUMBER: _ClassVar[int]
    change_type: ChangeType
    instrument_key: str
    instrument: _instrument_pb2.InstrumentDefinition
    previous: _instrument_pb2.InstrumentDefinition
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    removal_reason: RemovalReason
    def __init__(self, change_type: _Optional[_Union[ChangeType, str]] = ..., instrument_key: _Optional[str] = ..., instrument: _Optional[_Union[_instrument_pb2.InstrumentDefinition, _Mapping]] = ..., previous: _Optional[_Union[_instrument_pb2.InstrumentDefinition, _Mapping]] = ..., changed_fields: _Optional[_Iterable[str]] = ..., removal_reason: _Optional[_Union[RemovalReason, str]] = ...) -> None: ...

class WatchChangesRequest(_message.Message):
    __slots__ = ("filter", "send_initial_snapshot", "start_revision")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    SEND_INITIAL_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    START_REVISION_FIELD_NUMBER: _ClassVar[int]
    filter: InstrumentFilter
    send_initial_snapshot: bool
    start_revision: int
    def __init__(self, filter: _Optional[_Union[InstrumentFilter, _Mapping]] = ..., send_initial_snapshot: _Optional[bool] = ..., start_revision: _Optional[int] = ...) -> None: ...

class SnapshotPage(_message.Message):
    __slots__ = ("instruments",)
    INSTRUMENTS_FIELD_NUMBER: _ClassVar[int]
    instruments: _containers.RepeatedCompositeFieldContainer[_instrument_pb2.InstrumentDefinition]
    def __init__(self, instruments: _Optional[_Iterable[_Union[_instrument_pb2.InstrumentDefinition, _Mapping]]] = ...) -> None: ...

class SnapshotEnd(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ChangeBatch(_message.Message):
    __slots__ = ("changes", "applied_time")
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    APPLIED_TIME_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[InstrumentChange]
    applied_time: _timestamp_pb2.Timestamp
    def __init__(self, changes: _Optional[_Iterable[_Union[InstrumentChange, _Mapping]]] = ..., applied_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Progress(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WatchChangesResponse(_message.Message):
    __slots__ = ("revision", "snapshot", "snapshot_end", "changes", "progress")
    REVISION_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_END_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    revision: int
    snapshot: SnapshotPage
    snapshot_end: SnapshotEnd
    changes: ChangeBatch
    progress: Progress
    def __init__(self, revision: _Optional[int] = ..., snapshot: _Optional[_Union[SnapshotPage, _Mapping]] = ..., snapshot_end: _Optional[_Union[SnapshotEnd, _Mapping]] = ..., changes: _Optional[_Union[ChangeBatch, _Mapping]] = ..., progress: _Optional[_Union[Progress, _Mapping]] = ...) -> None: ...

class GetStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ExchangeStatus(_message.Message):
    __slots__ = ("ccxt_exchange", "state", "instrument_count", "last_success_time", "last_attempt_time", "last_error", "consecutive_failures", "next_attempt_time", "venues", "staleness_seconds", "held_refreshes", "held_reason", "rejected_markets", "serving_snapshot", "polled_by")
    class RejectedMarketsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    CCXT_EXCHANGE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAST_SUCCESS_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_ATTEMPT_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    CONSECUTIVE_FAILURES_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_TIME_FIELD_NUMBER: _ClassVar[int]
    VENUES_FIELD_NUMBER: _ClassVar[int]
    STALENESS_SECONDS_FIELD_NUMBER: _ClassVar[int]
    HELD_REFRESHES_FIELD_NUMBER: _ClassVar[int]
    HELD_REASON_FIELD_NUMBER: _ClassVar[int]
    REJECTED_MARKETS_FIELD_NUMBER: _ClassVar[int]
    SERVING_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    POLLED_BY_FIELD_NUMBER: _ClassVar[int]
    ccxt_exchange: str
    state: ExchangeState
    instrument_count: int
    last_success_time: _timestamp_pb2.Timestamp
    last_attempt_time: _timestamp_pb2.Timestamp
    last_error: str
    consecutive_failures: int
    next_attempt_time: _timestamp_pb2.Timestamp
    venues: _containers.RepeatedScalarFieldContainer[str]
    staleness_seconds: int
    held_refreshes: int
    held_reason: str
    rejected_markets: _containers.ScalarMap[str, int]
    serving_snapshot: bool
    polled_by: str
    def __init__(self, ccxt_exchange: _Optional[str] = ..., state: _Optional[_Union[ExchangeState, str]] = ..., instrument_count: _Optional[int] = ..., last_success_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_attempt_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_error: _Optional[str] = ..., consecutive_failures: _Optional[int] = ..., next_attempt_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., venues: _Optional[_Iterable[str]] = ..., staleness_seconds: _Optional[int] = ..., held_refreshes: _Optional[int] = ..., held_reason: _Optional[str] = ..., rejected_markets: _Optional[_Mapping[str, int]] = ..., serving_snapshot: _Optional[bool] = ..., polled_by: _Optional[str] = ...) -> None: ...

class StoreStatus(_message.Message):
    __slots__ = ("mode", "replica_id", "connected", "last_contact_time", "last_error", "polling", "shared_revision")
    MODE_FIELD_NUMBER: _ClassVar[int]
    REPLICA_ID_FIELD_NUMBER: _ClassVar[int]
    CONNECTED_FIELD_NUMBER: _ClassVar[int]
    LAST_CONTACT_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    POLLING_FIELD_NUMBER: _ClassVar[int]
    SHARED_REVISION_FIELD_NUMBER: _ClassVar[int]
    mode: str
    replica_id: str
    connected: bool
    last_contact_time: _timestamp_pb2.Timestamp
    last_error: str
    polling: _containers.RepeatedScalarFieldContainer[str]
    shared_revision: int
    def __init__(self, mode: _Optional[str] = ..., replica_id: _Optional[str] = ..., connected: _Optional[bool] = ..., last_contact_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_error: _Optional[str] = ..., polling: _Optional[_Iterable[str]] = ..., shared_revision: _Optional[int] = ...) -> None: ...

class GetStatusResponse(_message.Message):
    __slots__ = ("exchanges", "revision", "store")
    EXCHANGES_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    STORE_FIELD_NUMBER: _ClassVar[int]
    exchanges: _containers.RepeatedCompositeFieldContainer[ExchangeStatus]
    revision: int
    store: StoreStatus
    def __init__(self, exchanges: _Optional[_Iterable[_Union[ExchangeStatus, _Mapping]]] = ..., revision: _Optional[int] = ..., store: _Optional[_Union[StoreStatus, _Mapping]] = ...) -> None: ...
