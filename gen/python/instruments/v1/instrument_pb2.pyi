import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InstrumentType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INSTRUMENT_TYPE_UNSPECIFIED: _ClassVar[InstrumentType]
    INSTRUMENT_TYPE_SPOT: _ClassVar[InstrumentType]
    INSTRUMENT_TYPE_PERPETUAL: _ClassVar[InstrumentType]
    INSTRUMENT_TYPE_FUTURE: _ClassVar[InstrumentType]
    INSTRUMENT_TYPE_OPTION: _ClassVar[InstrumentType]
    INSTRUMENT_TYPE_COMBO: _ClassVar[InstrumentType]

class VenueType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VENUE_TYPE_UNSPECIFIED: _ClassVar[VenueType]
    VENUE_TYPE_CEX: _ClassVar[VenueType]
    VENUE_TYPE_DEX: _ClassVar[VenueType]

class AssetClass(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSET_CLASS_UNSPECIFIED: _ClassVar[AssetClass]
    ASSET_CLASS_CRYPTO: _ClassVar[AssetClass]

class OptionType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OPTION_TYPE_UNSPECIFIED: _ClassVar[OptionType]
    OPTION_TYPE_CALL: _ClassVar[OptionType]
    OPTION_TYPE_PUT: _ClassVar[OptionType]

class InstrumentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INSTRUMENT_STATUS_UNSPECIFIED: _ClassVar[InstrumentStatus]
    INSTRUMENT_STATUS_TRADING: _ClassVar[InstrumentStatus]
    INSTRUMENT_STATUS_HALTED: _ClassVar[InstrumentStatus]
    INSTRUMENT_STATUS_INCOMPLETE: _ClassVar[InstrumentStatus]
    INSTRUMENT_STATUS_DELISTED: _ClassVar[InstrumentStatus]
    INSTRUMENT_STATUS_EXPIRED: _ClassVar[InstrumentStatus]

class PrecisionMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRECISION_MODE_UNSPECIFIED: _ClassVar[PrecisionMode]
    PRECISION_MODE_TICK_SIZE: _ClassVar[PrecisionMode]
    PRECISION_MODE_SIGNIFICANT_DIGITS: _ClassVar[PrecisionMode]
    PRECISION_MODE_TICK_SIZE_STEPS: _ClassVar[PrecisionMode]

class AmountUnit(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AMOUNT_UNIT_UNSPECIFIED: _ClassVar[AmountUnit]
    AMOUNT_UNIT_BASE: _ClassVar[AmountUnit]
    AMOUNT_UNIT_QUOTE: _ClassVar[AmountUnit]
    AMOUNT_UNIT_CONTRACTS: _ClassVar[AmountUnit]
INSTRUMENT_TYPE_UNSPECIFIED: InstrumentType
INSTRUMENT_TYPE_SPOT: InstrumentType
INSTRUMENT_TYPE_PERPETUAL: InstrumentType
INSTRUMENT_TYPE_FUTURE: InstrumentType
INSTRUMENT_TYPE_OPTION: InstrumentType
INSTRUMENT_TYPE_COMBO: InstrumentType
VENUE_TYPE_UNSPECIFIED: VenueType
VENUE_TYPE_CEX: VenueType
VENUE_TYPE_DEX: VenueType
ASSET_CLASS_UNSPECIFIED: AssetClass
ASSET_CLASS_CRYPTO: AssetClass
OPTION_TYPE_UNSPECIFIED: OptionType
OPTION_TYPE_CALL: OptionType
OPTION_TYPE_PUT: OptionType
INSTRUMENT_STATUS_UNSPECIFIED: InstrumentStatus
INSTRUMENT_STATUS_TRADING: InstrumentStatus
INSTRUMENT_STATUS_HALTED: InstrumentStatus
INSTRUMENT_STATUS_INCOMPLETE: InstrumentStatus
INSTRUMENT_STATUS_DELISTED: InstrumentStatus
INSTRUMENT_STATUS_EXPIRED: InstrumentStatus
PRECISION_MODE_UNSPECIFIED: PrecisionMode
PRECISION_MODE_TICK_SIZE: PrecisionMode
PRECISION_MODE_SIGNIFICANT_DIGITS: PrecisionMode
PRECISION_MODE_TICK_SIZE_STEPS: PrecisionMode
AMOUNT_UNIT_UNSPECIFIED: AmountUnit
AMOUNT_UNIT_BASE: AmountUnit
AMOUNT_UNIT_QUOTE: AmountUnit
AMOUNT_UNIT_CONTRACTS: AmountUnit

class TickSizeStep(_message.Message):
    __slots__ = ("above_price", "tick_size")
    ABOVE_PRICE_FIELD_NUMBER: _ClassVar[int]
    TICK_SIZE_FIELD_NUMBER: _ClassVar[int]
    above_price: str
    tick_size: str
    def __init__(self, above_price: _Optional[str] = ..., tick_size: _Optional[str] = ...) -> None: ...

class InstrumentDefinition(_message.Message):
    __slots__ = ("instrument_key", "venue", "instrument_type", "available_from_datetime", "available_to_datetime", "base_asset", "quote_asset", "settle_asset", "exchange_raw_symbol", "tardis_symbol", "tardis_exchange", "data_provider", "venue_type", "asset_class", "is_live", "last_updated", "active", "tick_size", "min_size", "max_size", "trading_fees_maker", "trading_fees_taker", "contract_size", "ccxt_exchange", "ccxt_symbol", "lot_size", "min_notional", "max_notional", "price_precision_mode", "price_significant_digits", "tick_size_steps", "amount_precision_mode", "amount_significant_digits", "linear", "inverse", "expiry", "strike", "option_type", "underlying", "listing_time", "status", "exchange_status", "incomplete_fields", "min_price", "max_price", "fields_from_history", "stale", "amount_unit", "contract_size_unit", "data_types")
    INSTRUMENT_KEY_FIELD_NUMBER: _ClassVar[int]
    VENUE_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FROM_DATETIME_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_TO_DATETIME_FIELD_NUMBER: _ClassVar[int]
    BASE_ASSET_FIELD_NUMBER: _ClassVar[int]
    QUOTE_ASSET_FIELD_NUMBER: _ClassVar[int]
    SETTLE_ASSET_FIELD_NUMBER: _ClassVar[int]
    EXCHANGE_RAW_SYMBOL_FIELD_NUMBER: _ClassVar[int]
    TARDIS_SYMBOL_FIELD_NUMBER: _ClassVar[int]
    TARDIS_EXCHANGE_FIELD_NUMBER: _ClassVar[int]
    DATA_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    VENUE_TYPE_FIELD_NUMBER: _ClassVar[int]
    ASSET_CLASS_FIELD_NUMBER: _ClassVar[int]
    IS_LIVE_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    TICK_SIZE_FIELD_NUMBER: _ClassVar[int]
    MIN_SIZE_FIELD_NUMBER: _ClassVar[int]
    MAX_SIZE_FIELD_NUMBER: _ClassVar[int]
    TRADING_FEES_MAKER_FIELD_NUMBER: _ClassVar[int]
    TRADING_FEES_TAKER_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_SIZE_FIELD_NUMBER: _ClassVar[int]
    CCXT_EXCHANGE_FIELD_NUMBER: _ClassVar[int]
    CCXT_SYMBOL_FIELD_NUMBER: _ClassVar[int]
    LOT_SIZE_FIELD_NUMBER: _ClassVar[int]
    MIN_NOTIONAL_FIELD_NUMBER: _ClassVar[int]
    MAX_NOTIONAL_FIELD_NUMBER: _ClassVar[int]
    PRICE_PRECISION_MODE_FIELD_NUMBER: _ClassVar[int]
    PRICE_SIGNIFICANT_DIGITS_FIELD_NUMBER: _ClassVar[int]
    TICK_SIZE_STEPS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_PRECISION_MODE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_SIGNIFICANT_DIGITS_FIELD_NUMBER: _ClassVar[int]
    LINEAR_FIELD_NUMBER: _ClassVar[int]
    INVERSE_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_FIELD_NUMBER: _ClassVar[int]
    STRIKE_FIELD_NUMBER: _ClassVar[int]
    OPTION_TYPE_FIELD_NUMBER: _ClassVar[int]
    UNDERLYING_FIELD_NUMBER: _ClassVar[int]
    LISTING_TIME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXCHANGE_STATUS_FIELD_NUMBER: _ClassVar[int]
    INCOMPLETE_FIELDS_FIELD_NUMBER: _ClassVar[int]
    MIN_PRICE_FIELD_NUMBER: _ClassVar[int]
    MAX_PRICE_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FROM_HISTORY_FIELD_NUMBER: _ClassVar[int]
    STALE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_UNIT_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_SIZE_UNIT_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPES_FIELD_NUMBER: _ClassVar[int]
    instrument_key: str
    venue: str
    instrument_type: InstrumentType
    available_from_datetime: _timestamp_pb2.Timestamp
    available_to_datetime: _timestamp_pb2.Timestamp
    base_asset: str
    quote_asset: str
    settle_asset: str
    exchange_raw_symbol: str
    tardis_symbol: str
    tardis_exchange: str
    data_provider: str
    venue_type: VenueType
    asset_class: AssetClass
    is_live: bool
    last_updated: _timestamp_pb2.Timestamp
    active: bool
    tick_size: str
    min_size: str
    max_size: str
    trading_fees_maker: str
    trading_fees_taker: str
    contract_size: str
    ccxt_exchange: str
    ccxt_symbol: str
    lot_size: str
    min_notional: str
    max_notional: str
    price_precision_mode: PrecisionMode
    price_significant_digits: int
    tick_size_steps: _containers.RepeatedCompositeFieldContainer[TickSizeStep]
    amount_precision_mode: PrecisionMode
    amount_significant_digits: int
    linear: bool
    inverse: bool
    expiry: _timestamp_pb2.Timestamp
    strike: str
    option_type: OptionType
    underlying: str
    listing_time: _timestamp_pb2.Timestamp
    status: InstrumentStatus
    exchange_status: str
    incomplete_fields: _containers.RepeatedScalarFieldContainer[str]
    min_price: str
    max_price: str
    fields_from_history: _containers.RepeatedScalarFieldContainer[str]
    stale: bool
    amount_unit: AmountUnit
    contract_size_unit: AmountUnit
    data_types: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, instrument_key: _Optional[str] = ..., venue: _Optional[str] = ..., instrument_type: _Optional[_Union[InstrumentType, str]] = ..., available_from_datetime: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., available_to_datetime: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., base_asset: _Optional[str] = ..., quote_asset: _Optional[str] = ..., settle_asset: _Optional[str] = ..., exchange_raw_symbol: _Optional[str] = ..., tardis_symbol: _Optional[str] = ..., tardis_exchange: _Optional[str] = ..., data_provider: _Optional[str] = ..., venue_type: _Optional[_Union[VenueType, str]] = ..., asset_class: _Optional[_Union[AssetClass, str]] = ..., is_live: _Optional[bool] = ..., last_updated: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., active: _Optional[bool] = ..., tick_size: _Optional[str] = ..., min_size: _Optional[str] = ..., max_size: _Optional[str] = ..., trading_fees_maker: _Optional[str] = ..., trading_fees_taker: _Optional[str] = ..., contract_size: _Optional[str] = ..., ccxt_exchange: _Optional[str] = ..., ccxt_symbol: _Optional[str] = ..., lot_size: _Optional[str] = ..., min_notional: _Optional[str] = ..., max_notional: _Optional[str] = ..., price_precision_mode: _Optional[_Union[PrecisionMode, str]] = ..., price_significant_digits: _Optional[int] = ..., tick_size_steps: _Optional[_Iterable[_Union[TickSizeStep, _Mapping]]] = ..., amount_precision_mode: _Optional[_Union[PrecisionMode, str]] = ..., amount_significant_digits: _Optional[int] = ..., linear: _Optional[bool] = ..., inverse: _Optional[bool] = ..., expiry: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., strike: _Optional[str] = ..., option_type: _Optional[_Union[OptionType, str]] = ..., underlying: _Optional[str] = ..., listing_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[InstrumentStatus, str]] = ..., exchange_status: _Optional[str] = ..., incomplete_fields: _Optional[_Iterable[str]] = ..., min_price: _Optional[str] = ..., max_price: _Optional[str] = ..., fields_from_history: _Optional[_Iterable[str]] = ..., stale: _Optional[bool] = ..., amount_unit: _Optional[_Union[AmountUnit, str]] = ..., contract_size_unit: _Optional[_Union[AmountUnit, str]] = ..., data_types: _Optional[_Iterable[str]] = ...) -> None: ...
