/**
 * Unit tests of the gadget's script in jsdom: where it runs, what it asks, what it shows.
 */
'use strict';

const { test } = require( 'node:test' );
const assert = require( 'node:assert/strict' );
const { runGadget, summary, wikiAnswer } = require( './harness' );

const SUMMARY_URL = 'https://views.example/api/wikiviews/v1/summary/en.wikipedia/Test_Article' +
	'?days=60&agent=user&redirects=1';
// 23:59:59 UTC on 9 March is 9 March; 10 January is the day before the chart's 60 days.
const REVISIONS = [ '2024-03-09T23:59:59Z', '2024-01-10T23:59:59Z' ];
const tick = () => new Promise( setImmediate );

/**
 * The requests made so far, split: the backend's and the wiki's API's.
 *
 * @param {Object} page
 * @return {{backend: Array, wiki: Array}}
 */
function split( page ) {
	return {
		backend: page.requests.filter( ( r ) => r.url.indexOf( 'https://views.example/' ) === 0 ),
		wiki: page.requests.filter( ( r ) => r.url.indexOf( '/w/api.php' ) === 0 )
	};
}

/**
 * Answer the wiki's query and the backend's request, then let the page settle.
 *
 * @param {Object} page
 * @param {number} status
 * @param {Object|string} body
 * @return {Promise}
 */
function answer( page, status, body ) {
	const { backend, wiki } = split( page );
	wiki.forEach( ( r ) => r.respond( 200, wikiAnswer( r.url, REVISIONS ) ) );
	backend.forEach( ( r ) => r.respond( status, body ) );
	return tick();
}

test( 'does nothing outside article histories', async () => {
	for ( const config of [
		{ wgAction: 'view' },
		{ wgAction: 'edit' },
		{ wgNamespaceNumber: 1 },
		{ wgArticleId: 0 }
	] ) {
		const page = await runGadget( { config } );
		assert.equal( page.box(), null, JSON.stringify( config ) );
		assert.equal( page.requests.length, 0 );
	}
} );

test( 'runs in the content namespaces the site configures', async () => {
	const page = await runGadget( {
		config: { wgNamespaceNumber: 104 }, gadgetConfig: { namespaces: [ 0, 104 ] }
	} );
	assert.equal( page.box().getAttribute( 'data-state' ), 'loading' );
} );

test( 'puts a busy placeholder under the subtitle and asks once for each thing', async () => {
	const page = await runGadget();
	const box = page.box();
	assert.equal( box.previousElementSibling.id, 'contentSub' );
	assert.equal( box.getAttribute( 'data-state' ), 'loading' );
	assert.equal( box.getAttribute( 'aria-busy' ), 'true' );
	const { backend, wiki } = split( page );
	assert.deepEqual( backend.map( ( r ) => r.url ), [ SUMMARY_URL ] );
	assert.equal( backend[ 0 ].timeout, 8000 );
	assert.equal( wiki.length, 1 );
	const params = new URL( wiki[ 0 ].url, 'https://wiki.example' ).searchParams;
	assert.equal( params.get( 'revids' ), '12|11' );
	assert.equal( params.get( 'amlang' ), 'en' );
	assert.equal( params.get( 'ammessages' ).split( '|' ).length, 13 );
	assert.deepEqual( page.loaded, [ 'ext.gadget.wikiviews-render' ] );
} );

test( 'more than 50 listed revisions are asked in batches of 50, messages once', async () => {
	const items = Array.from( { length: 120 }, ( _, i ) => `<li data-mw-revid="${ 500 - i }">r</li>` );
	const page = await runGadget( {
		html: '<div id="contentSub"></div><ul id="pagehistory">' + items.join( '' ) + '</ul>'
	} );
	const queries = split( page ).wiki.map( ( r ) => new URL( r.url, 'https://wiki.example' ).searchParams );
	assert.deepEqual( queries.map( ( q ) => q.get( 'revids' ).split( '|' ).length ), [ 50, 50, 20 ] );
	assert.deepEqual( queries.map( ( q ) => q.has( 'ammessages' ) ), [ true, false, false ] );
	await answer( page, 200, summary() );
	assert.equal( page.box().getAttribute( 'data-state' ), 'ready' );
} );

test( 'shows the summary\'s numbers and marks the edited days', async () => {
	const page = await runGadget();
	await answer( page, 200, summary( { redirects: [ 'Redirect_<b>x</b>', 'עברית_(ספר)' ] } ) );
	const box = page.box();
	assert.equal( box.getAttribute( 'data-state' ), 'ready' );
	assert.equal( box.getAttribute( 'data-total-30' ), '12345' );
	assert.equal( box.getAttribute( 'data-through' ), '20240310' );
	assert.equal( box.getAttribute( 'data-rank' ), '87' );
	const text = box.textContent;
	assert.match( text, /^12,345 views by people in the last 30 days · 411\.5 a day · \+12\.2% against the previous 30 days · #87 on this wiki on Mar 10, 2024/ );
	assert.match( text, /data through Mar 10, 2024 · including redirects: Redirect <b>x<\/b>, עברית \(ספר\) · statistics/ );
	assert.equal( box.querySelectorAll( 'b' ).length, 0, 'a title is text, never markup' );
	assert.equal( box.querySelectorAll( 'bdi' ).length, 2 );
	assert.deepEqual(
		[ ...box.querySelectorAll( '.wikiviews-edit' ) ].map( ( r ) => r.getAttribute( 'data-date' ) ),
		[ '20240309' ]
	);
	assert.equal(
		box.querySelector( 'a' ).href,
		'https://views.example/pageviews/?project=en.wikipedia&pages=Test_Article&range=latest-60&redirects=1'
	);
} );

test( 'an unranked article has an empty rank and no rank text', async () => {
	const page = await runGadget();
	await answer( page, 200, summary( { rank: null, change_pct: null } ) );
	assert.equal( page.box().getAttribute( 'data-rank' ), '' );
	assert.doesNotMatch( page.box().textContent, /on this wiki|against/ );
} );

test( 'the chart has a text alternative and answers the keyboard', async () => {
	const page = await runGadget();
	await answer( page, 200, summary() );
	const chart = page.box().querySelector( 'svg' );
	assert.equal( chart.getAttribute( 'role' ), 'img' );
	assert.equal(
		chart.getAttribute( 'aria-label' ),
		'Daily views for the 60 days through Mar 10, 2024: lowest 100, highest 159; edits on 1 of these days.'
	);
	assert.equal( chart.getAttribute( 'tabindex' ), '0' );
	const readout = page.box().querySelector( '.wikiviews-readout' );
	assert.equal( readout.getAttribute( 'aria-live' ), 'polite' );
	chart.dispatchEvent( new page.window.FocusEvent( 'focus' ) );
	assert.equal( readout.textContent, 'Mar 10, 2024: 100 views' );
	const key = ( name ) => chart.dispatchEvent( new page.window.KeyboardEvent( 'keydown', { key: name } ) );
	key( 'ArrowLeft' );
	assert.equal( readout.textContent, 'Mar 9, 2024: 101 views, edited' );
	key( 'Home' );
	assert.equal( readout.textContent, 'Jan 11, 2024: 159 views' );
	key( 'ArrowLeft' );
	assert.equal( readout.textContent, 'Jan 11, 2024: 159 views' );
} );

test( 'a failure shows one line with a retry link that asks again', async () => {
	const page = await runGadget();
	await answer( page, 503, { type: 'error' } );
	const box = page.box();
	assert.equal( box.getAttribute( 'data-state' ), 'error' );
	assert.equal( box.textContent, 'Readership could not be loaded (HTTP 503). Try again' );
	const before = page.requests.length;
	box.querySelector( 'a' ).dispatchEvent( new page.window.MouseEvent( 'click', { cancelable: true } ) );
	assert.equal( box.getAttribute( 'data-state' ), 'loading' );
	assert.deepEqual( page.requests.slice( before ).map( ( r ) => r.url ).filter( ( u ) => u === SUMMARY_URL ), [ SUMMARY_URL ] );
	await answer( { requests: page.requests.slice( before ) }, 200, summary() );
	assert.equal( box.getAttribute( 'data-state' ), 'ready' );
} );

test( 'a timeout, a network error and bad JSON each end in the error line', async () => {
	for ( const [ act, reason ] of [
		[ ( r ) => r.expire(), 'timeout' ],
		[ ( r ) => r.fail(), 'network error' ],
		[ ( r ) => r.respond( 200, '<html>' ), 'invalid JSON' ]
	] ) {
		const page = await runGadget();
		const { backend, wiki } = split( page );
		wiki.forEach( ( r ) => r.respond( 200, wikiAnswer( r.url, REVISIONS ) ) );
		act( backend[ 0 ] );
		await tick();
		assert.equal( page.box().getAttribute( 'data-state' ), 'error' );
		assert.match( page.box().textContent, new RegExp( '\\(' + reason + '\\)' ) );
	}
} );

test( 'a failed wiki query still shows the numbers, without marks', async () => {
	const page = await runGadget();
	const { backend, wiki } = split( page );
	wiki[ 0 ].respond( 500, 'oops' );
	backend[ 0 ].respond( 200, summary() );
	await tick();
	assert.equal( page.box().getAttribute( 'data-state' ), 'ready' );
	assert.equal( page.box().querySelectorAll( '.wikiviews-edit' ).length, 0 );
} );

test( 'with the wiki and the backend both down, the error line is still in English', async () => {
	const page = await runGadget();
	const { backend, wiki } = split( page );
	wiki[ 0 ].fail();
	backend[ 0 ].fail();
	await tick();
	assert.equal( page.box().textContent, 'Readership could not be loaded (network error). Try again' );
} );

test( 'results are cached for an hour, failures not at all', async () => {
	const storage = new Map();
	const first = await runGadget( { storage } );
	await answer( first, 503, 'down' );
	const second = await runGadget( { storage } );
	assert.equal( split( second ).backend.length, 1, 'a failure is not cached' );
	await answer( second, 200, summary() );
	const third = await runGadget( { storage } );
	assert.equal( split( third ).backend.length, 0 );
	await answer( third );
	assert.equal( third.box().getAttribute( 'data-total-30' ), '12345' );
	const [ key ] = storage.keys();
	const entry = JSON.parse( storage.get( key ) );
	entry.time -= 3601 * 1000;
	storage.set( key, JSON.stringify( entry ) );
	const fourth = await runGadget( { storage } );
	assert.equal( split( fourth ).backend.length, 1, 'an hour-old result is asked again' );
} );

test( 'a user option overrides the site\'s backend', async () => {
	const page = await runGadget( { userOptions: { 'userjs-wikiviews-api': 'https://mine.example/' } } );
	assert.equal(
		page.requests.filter( ( r ) => r.url.indexOf( 'https://mine.example/api/wikiviews/v1/summary/' ) === 0 ).length,
		1
	);
	assert.equal( split( page ).backend.length, 0 );
} );

test( 'settings: Wikimedia\'s API means the compatible routes; the project from the host', async () => {
	const page = await runGadget( { gadgetConfig: { api: 'https://wikimedia.org', project: '' } } );
	const settings = page.exports.readSettings();
	assert.deepEqual(
		[ settings.api, settings.mode, settings.project ],
		[ 'https://wikimedia.org', 'aqs', 'en.wikipedia' ]
	);
	const own = await runGadget( { userOptions: { 'userjs-wikiviews-mode': 'aqs' } } );
	assert.equal( own.exports.readSettings().mode, 'aqs' );
	const plain = await runGadget( { config: { wgServerName: 'www.wikidata.org' }, gadgetConfig: { project: '' } } );
	assert.equal( plain.exports.readSettings().project, 'wikidata' );
} );

test( 'Wikimedia mode loads its code only then, and asks only the compatible routes', async () => {
	const summaryMode = await runGadget();
	assert.deepEqual( summaryMode.loaded, [ 'ext.gadget.wikiviews-render' ] );
	const page = await runGadget( { gadgetConfig: { api: 'https://wikimedia.org' } } );
	await tick();
	assert.deepEqual( page.loaded.sort(), [ 'ext.gadget.wikiviews-aqs', 'ext.gadget.wikiviews-render' ] );
	const urls = page.requests.map( ( r ) => r.url ).filter( ( u ) => u.indexOf( 'https://wikimedia.org/' ) === 0 );
	assert.equal( urls.length, 2 );
	assert.match( urls[ 0 ], /^https:\/\/wikimedia\.org\/api\/rest_v1\/metrics\/pageviews\/per-article\/en\.wikipedia\/all-access\/user\/Test_Article\/daily\/\d{8}\/\d{8}$/ );
	assert.match( urls[ 1 ], /^https:\/\/wikimedia\.org\/api\/rest_v1\/metrics\/pageviews\/top\/en\.wikipedia\/all-access\/\d{4}\/\d{2}\/\d{2}$/ );
} );

test( 'German readers get German words and numbers; unknown keys fall back to English', async () => {
	const page = await runGadget( { config: { wgUserLanguage: 'de-at' } } );
	await answer( page, 200, summary() );
	assert.match( page.box().textContent, /^12\.345 Aufrufe durch Menschen in den letzten 30 Tagen/ );
	assert.equal( page.box().getAttribute( 'aria-label' ), 'Leserschaft' );
} );

test( 'nothing global: the script leaves the window as it found it', async () => {
	const bare = await runGadget( { config: { wgAction: 'view' } } );
	const before = new Set( Object.keys( bare.window ) );
	const page = await runGadget();
	await answer( page, 200, summary() );
	// jsdom names elements with an id on the window, as browsers do: not the script's doing.
	const added = Object.keys( page.window )
		.filter( ( k ) => !before.has( k ) && !page.document.getElementById( k ) );
	assert.deepEqual( added, [] );
} );

test( 'in Wikimedia mode the box links to Pageviews Analysis and names no redirects', async () => {
	const page = await runGadget( { gadgetConfig: { api: 'https://wikimedia.org' } } );
	await tick();
	for ( const request of page.requests ) {
		if ( request.url.indexOf( '/w/api.php' ) === 0 ) {
			request.respond( 200, wikiAnswer( request.url, REVISIONS ) );
		} else if ( request.url.includes( '/per-article/' ) ) {
			request.respond( 200, { items: [ { timestamp: '2024031000', views: 9 } ] } );
		} else {
			request.respond( 404, {} );
		}
	}
	await tick();
	const box = page.box();
	assert.equal( box.getAttribute( 'data-state' ), 'ready' );
	assert.equal(
		box.querySelector( '.wikiviews-meta a' ).href,
		'https://pageviews.wmcloud.org/pageviews/?project=en.wikipedia.org&pages=Test_Article&range=latest-60'
	);
	assert.doesNotMatch( box.textContent, /redirects/ );
} );
