#!/usr/bin/env node
// Child of bench/versus-ccxt.mjs: what a fresh process pays to learn one instrument's tick size
// with CCXT in-process: `new ccxt[id](options).loadMarkets()`, then the market's precision.price.
// Prints one JSON line: the tick size, when it was known (ms since this process started) and the
// process's CPU time at exit.
//
//   node bench/support/tick-via-ccxt.mjs EXCHANGE_ID SYMBOL CCXT_OPTIONS_JSON
import ccxt from 'ccxt';

const [id, symbol, optionsJson] = process.argv.slice(2);
const exchange = new ccxt[id](JSON.parse(optionsJson));
const markets = await exchange.loadMarkets();
const tickSize = markets[symbol].precision.price;
const answeredAtMs = performance.now();
// Written at exit (synchronous on a pipe), so the CPU time covers the whole life of the process.
process.on('exit', () => process.stdout.write(`${JSON.stringify({ tickSize, answeredAtMs, cpu: process.cpuUsage() })}\n`));
