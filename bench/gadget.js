/**
 * Browser half of bench/gadget.py: loads a history page with and without the gadget,
 * interleaved, each in a fresh browser context (cold caches, no stored result), and prints one
 * JSON line per load: which variant, the load event's end, the gadget's start→ready measure,
 * and the load.php and api.php URLs the page requested.
 *
 * Usage: node bench/gadget.js '{"with": URL, "without": URL, "rounds": 50}'
 */
'use strict';

const { launch } = require( '../tests/e2e/js/visit' );

const READ = `(() => {
	const nav = performance.getEntriesByType( 'navigation' )[ 0 ];
	const start = performance.getEntriesByName( 'wikiviews-start' )[ 0 ];
	const ready = performance.getEntriesByName( 'wikiviews-ready' )[ 0 ];
	const box = document.getElementById( 'wikiviews-box' );
	return {
		loadEventEnd: nav.loadEventEnd,
		startToReady: start && ready ? ready.startTime - start.startTime : null,
		readyAt: ready ? ready.startTime : null,
		state: box && box.getAttribute( 'data-state' )
	};
})()`;

/**
 * Load `url` once in a fresh context and read the figures.
 *
 * @param {Object} browser
 * @param {string} url
 * @param {boolean} gadget Whether to wait for the gadget's box
 * @return {Promise<Object>}
 */
async function load( browser, url, gadget ) {
	const context = await browser.newContext( { viewport: { width: 1200, height: 800 } } );
	const page = await context.newPage();
	const modules = [];
	const api = [];
	page.on( 'request', ( request ) => {
		if ( request.url().includes( '/load.php?' ) ) {
			modules.push( request.url() );
		} else if ( request.url().includes( '/api.php?' ) ) {
			api.push( request.url() );
		}
	} );
	await page.goto( url, { waitUntil: 'load' } );
	if ( gadget ) {
		await page.locator( '#wikiviews-box[data-state=ready]' ).waitFor( { timeout: 20000 } );
	}
	const figures = await page.evaluate( READ );
	await context.close();
	return Object.assign( figures, { modules, api } );
}

( async () => {
	const plan = JSON.parse( process.argv[ 2 ] );
	const browser = await launch();
	try {
		for ( let round = 0; round < plan.rounds; round++ ) {
			// Alternate which variant goes first, so drift and warm-up hit both alike.
			const order = round % 2 ? [ 'without', 'with' ] : [ 'with', 'without' ];
			for ( const variant of order ) {
				const figures = await load( browser, plan[ variant ], variant === 'with' );
				process.stdout.write( JSON.stringify( Object.assign( { variant, round }, figures ) ) + '\n' );
			}
		}
	} finally {
		await browser.close();
	}
} )().catch( ( error ) => {
	process.stderr.write( String( error && error.stack || error ) + '\n' );
	process.exitCode = 1;
} );
