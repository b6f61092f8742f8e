/**
 * Unit tests of the Wikimedia mode: the summary built from per-article and top answers.
 */
'use strict';

const { test } = require( 'node:test' );
const assert = require( 'node:assert/strict' );
const { JSDOM } = require( 'jsdom' );
const fs = require( 'fs' );
const path = require( 'path' );
const { GADGET } = require( './harness' );

/**
 * @return {Object} The module's exports
 */
function loadAqs() {
	const window = new JSDOM( '', { runScripts: 'outside-only' } ).window;
	const source = fs.readFileSync( path.join( GADGET, 'wikiviews-aqs.js' ), 'utf8' );
	const module = { exports: {} };
	window.eval( '(function ( require, module, exports ) {\n' + source + '\n})' )( null, module, module.exports );
	return module.exports;
}

const aqs = loadAqs();
// 2024-03-11 15:00 UTC: yesterday is 10 March.
const NOW = Date.UTC( 2024, 2, 11, 15 );
const SETTINGS = { api: 'https://wikimedia.org', project: 'en.wikipedia' };

/**
 * Run loadSummary with answers by route.
 *
 * @param {Function} answerFor (url) → [reason, data]
 * @return {{urls: Array, result: Array}}
 */
function run( answerFor ) {
	const urls = [];
	let result;
	aqs.loadSummary( SETTINGS, 'A/B_?', 60, ( url, callback ) => {
		urls.push( url );
		callback.apply( null, answerFor( url ) );
	}, ( ...args ) => {
		result = args;
	}, NOW );
	return { urls, result };
}

test( 'asks per-article for the 61 days to yesterday and yesterday\'s top list', () => {
	const { urls } = run( () => [ '404' ] );
	assert.deepEqual( urls.slice( 0, 2 ), [
		'https://wikimedia.org/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user/A%2FB_%3F/daily/20240110/20240310',
		'https://wikimedia.org/api/rest_v1/metrics/pageviews/top/en.wikipedia/all-access/2024/03/10'
	] );
} );

test( 'zero-fills the series and computes the 30-day figures and the rank', () => {
	const { result } = run( ( url ) => url.indexOf( '/per-article/' ) > 0 ?
		[ null, { items: [
			{ timestamp: '2024031000', views: 30 },
			{ timestamp: '2024021000', views: 10 },
			{ timestamp: '2024011100', views: 5 }
		] } ] :
		[ null, { items: [ { articles: [ { article: 'X', rank: 1 }, { article: 'A/B_?', rank: 2 } ] } ] } ] );
	const [ reason, built ] = result;
	// Built in jsdom's realm: compare as plain data.
	const summary = JSON.parse( JSON.stringify( built ) );
	assert.equal( reason, null );
	assert.equal( summary.series.length, 60 );
	assert.deepEqual( summary.series[ 0 ], { date: '20240111', views: 5 } );
	assert.deepEqual( summary.series[ 59 ], { date: '20240310', views: 30 } );
	assert.equal( summary.series.reduce( ( n, d ) => n + d.views, 0 ), 45 );
	// Last 30 days: 10 Feb … 10 Mar.
	assert.equal( summary.total_30, 40 );
	assert.equal( summary.previous_total_30, 5 );
	assert.equal( summary.change_pct, 700 );
	assert.equal( summary.average_30, 1.3 );
	assert.equal( summary.rank, 2 );
	assert.equal( summary.through, '20240310' );
	assert.deepEqual( summary.redirects, [] );
} );

test( 'no views at all (404) is zeros, not an error', () => {
	const { result } = run( ( url ) => url.indexOf( '/per-article/' ) > 0 ? [ '404' ] : [ null, { items: [] } ] );
	assert.equal( result[ 0 ], null );
	assert.equal( result[ 1 ].total_30, 0 );
	assert.equal( result[ 1 ].change_pct, null );
	assert.equal( result[ 1 ].rank, null );
} );

test( 'without yesterday\'s top list the data runs through the day before', () => {
	const { urls, result } = run( ( url ) => {
		if ( url.endsWith( '/2024/03/10' ) ) {
			return [ '404' ];
		}
		if ( url.endsWith( '/2024/03/09' ) ) {
			return [ null, { items: [ { articles: [ { article: 'A/B_?', rank: 9 } ] } ] } ];
		}
		return [ null, { items: [ { timestamp: '2024030900', views: 4 } ] } ];
	} );
	assert.equal( urls[ 2 ], 'https://wikimedia.org/api/rest_v1/metrics/pageviews/top/en.wikipedia/all-access/2024/03/09' );
	assert.equal( result[ 1 ].through, '20240309' );
	assert.equal( result[ 1 ].series[ 59 ].views, 4 );
	assert.equal( result[ 1 ].rank, 9 );
} );

test( 'a failing per-article route is the error; a failing top list only drops the rank', () => {
	assert.deepEqual( run( ( url ) => url.indexOf( '/per-article/' ) > 0 ? [ '503' ] : [ null, {} ] ).result, [ '503' ] );
	const { result } = run( ( url ) => url.indexOf( '/per-article/' ) > 0 ? [ null, { items: [] } ] : [ 'timeout' ] );
	assert.equal( result[ 0 ], null );
	assert.equal( result[ 1 ].rank, null );
} );
