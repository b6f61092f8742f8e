/**
 * Runs the gadget's files in jsdom with a stand-in for the parts of MediaWiki's `mw` they use
 * and a scripted XMLHttpRequest, so tests decide every answer and see every request.
 * (The real MediaWiki runs in tests/e2e.)
 */
'use strict';

const fs = require( 'fs' );
const path = require( 'path' );
const { JSDOM } = require( 'jsdom' );

const GADGET = path.join( __dirname, '..', '..', 'gadget' );
const MESSAGES = {};
for ( const file of fs.readdirSync( path.join( GADGET, 'i18n' ) ) ) {
	if ( file !== 'qqq.json' ) {
		MESSAGES[ file.replace( '.json', '' ) ] = JSON.parse(
			fs.readFileSync( path.join( GADGET, 'i18n', file ), 'utf8' )
		);
	}
}

const HISTORY_HTML = `<!DOCTYPE html><html><body>
<div id="content"><h1>History</h1><div id="bodyContent"><div id="contentSub">subtitle</div>
<div id="mw-content-text"><ul id="pagehistory">
<li data-mw-revid="12">rev 12</li><li data-mw-revid="11">rev 11</li>
</ul></div></div></div></body></html>`;

/**
 * A scripted XMLHttpRequest class; `log` receives every request made.
 *
 * @param {Array} log
 * @return {Function}
 */
function scriptedXhr( log ) {
	return class FakeXhr {
		open( method, url ) {
			this.method = method;
			this.url = url;
		}

		send() {
			log.push( this );
		}

		respond( status, body ) {
			this.status = status;
			this.responseText = typeof body === 'string' ? body : JSON.stringify( body );
			this.onload();
		}

		fail() {
			this.onerror();
		}

		expire() {
			this.ontimeout();
		}
	};
}

/**
 * A new history page with the gadget run on it.
 *
 * @param {Object} [options]
 * @param {Object} [options.config] mw.config values over the defaults
 * @param {Object} [options.userOptions] mw.user.options values
 * @param {Object} [options.gadgetConfig] The site's wikiviews-config.json
 * @param {Map} [options.storage] mw.storage's contents (share it to test the cache)
 * @param {string} [options.html]
 * @return {Promise<Object>} { window, document, requests, box(), mw, storage, exports, loaded }
 */
async function runGadget( options ) {
	const opts = options || {};
	const dom = new JSDOM( opts.html || HISTORY_HTML, {
		url: 'https://wiki.example/w/index.php?title=Test_Article&action=history',
		runScripts: 'outside-only',
		pretendToBeVisual: true
	} );
	const window = dom.window;
	const requests = [];
	const storage = opts.storage || new Map();
	const config = Object.assign( {
		wgAction: 'history',
		wgArticleId: 7,
		wgNamespaceNumber: 0,
		wgPageName: 'Test_Article',
		wgServerName: 'en.wikipedia.org',
		wgUserLanguage: 'en'
	}, opts.config );
	const language = config.wgUserLanguage;
	const messages = {};
	const loaded = [];
	const modules = {
		'ext.gadget.wikiviews-render': 'wikiviews-render.js',
		'ext.gadget.wikiviews-aqs': 'wikiviews-aqs.js'
	};
	const mw = {
		config: { get: ( key ) => config[ key ] },
		user: { options: { get: ( key ) => ( opts.userOptions || {} )[ key ] || null } },
		messages: {
			set: ( key, value ) => typeof key === 'string' ? ( messages[ key ] = value ) : Object.assign( messages, key ),
			exists: ( key ) => key in messages
		},
		message: ( key, ...params ) => ( {
			text: () => ( key in messages ? messages[ key ] : '⧼' + key + '⧽' )
				.replace( /\$(\d)/g, ( match, n ) => String( params[ n - 1 ] ) )
		} ),
		msg: ( key, ...params ) => mw.message( key, ...params ).text(),
		language: {
			convertNumber: ( n ) => n.toLocaleString( language.indexOf( 'de' ) === 0 ? 'de-DE' : 'en-US' ),
			bcp47: ( code ) => code
		},
		storage: {
			getObject: ( key ) => storage.has( key ) ? JSON.parse( storage.get( key ) ) : null,
			setObject: ( key, value ) => storage.set( key, JSON.stringify( value ) )
		},
		util: { wikiScript: () => '/w/api.php' },
		loader: {
			using: ( name ) => {
				loaded.push( name );
				const module = load( window, modules[ name ], {} );
				return Promise.resolve( () => module );
			}
		}
	};
	window.mw = mw;
	window.XMLHttpRequest = scriptedXhr( requests );
	const files = {
		'./wikiviews-config.json': Object.assign(
			{ api: 'https://views.example', project: 'en.wikipedia' }, opts.gadgetConfig
		)
	};
	if ( window.document.readyState === 'loading' ) {
		await new Promise( ( resolve ) => {
			window.document.addEventListener( 'DOMContentLoaded', resolve );
		} );
	}
	const exported = load( window, 'wikiviews.js', files );
	return {
		window,
		document: window.document,
		requests,
		storage,
		mw,
		loaded,
		exports: exported,
		box: () => window.document.getElementById( 'wikiviews-box' )
	};
}

/**
 * Run one gadget file as ResourceLoader runs a package file, with `mw` in its scope.
 *
 * @param {Object} window
 * @param {string} file
 * @param {Object} files What `require` returns, by name
 * @return {*} module.exports
 */
function load( window, file, files ) {
	const source = fs.readFileSync( path.join( GADGET, file ), 'utf8' );
	const wrapper = window.eval( '(function ( require, module, exports ) {\n' + source + '\n})' );
	const module = { exports: {} };
	wrapper( ( name ) => files[ name ], module, module.exports );
	return module.exports;
}

/**
 * What the wiki's API answers to the gadget's query: the revisions' timestamps and, when asked,
 * the messages in the language asked, with MediaWiki's fallbacks (xx-yy → xx → en).
 *
 * @param {string} url The query the gadget made
 * @param {Array} timestamps
 * @return {Object}
 */
function wikiAnswer( url, timestamps ) {
	const query = { pages: [ { revisions: timestamps.map( ( timestamp ) => ( { timestamp } ) ) } ] };
	const params = new URL( url, 'https://wiki.example' ).searchParams;
	if ( params.get( 'meta' ) === 'allmessages' ) {
		const lang = params.get( 'amlang' );
		const chain = [ lang, lang.split( '-' )[ 0 ], 'en' ];
		query.allmessages = params.get( 'ammessages' ).split( '|' ).map( ( name ) => {
			const from = chain.find( ( code ) => MESSAGES[ code ] && name in MESSAGES[ code ] );
			return from ? { name, content: MESSAGES[ from ][ name ] } : { name, missing: true };
		} );
	}
	return { query };
}

/**
 * A summary as the route answers it: `days` days through `through`, views from `viewsOf`.
 *
 * @param {Object} [fields] Fields over the defaults
 * @return {Object}
 */
function summary( fields ) {
	const series = [];
	const end = Date.UTC( 2024, 2, 10 );
	for ( let i = 59; i >= 0; i-- ) {
		const day = new Date( end - i * 86400000 ).toISOString().slice( 0, 10 ).replace( /-/g, '' );
		series.push( { date: day, views: 100 + i } );
	}
	return Object.assign( {
		project: 'en.wikipedia',
		title: 'Test_Article',
		through: '20240310',
		series,
		total_30: 12345,
		average_30: 411.5,
		previous_total_30: 11000,
		change_pct: 12.2,
		rank: 87,
		rank_date: '20240310',
		redirects: []
	}, fields );
}

module.exports = { runGadget, summary, wikiAnswer, MESSAGES, GADGET };
