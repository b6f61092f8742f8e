/**
 * wikiviews: an article's readership on its history page (the bootstrap).
 *
 * On action=history of a content page: a fixed-height placeholder under the subtitle, then, at
 * once and in parallel, one request to the wikiviews summary route (or Wikimedia's compatible
 * routes, whose code loads only then), one to the wiki's API for the days of the listed
 * revisions and the messages in the user's language, and the module that draws the box.
 * Results are cached for an hour; any failure shows one line with a retry link.
 *
 * ES5 syntax on purpose: MediaWiki 1.39 validates gadget scripts as ECMAScript 5.
 * Documentation: docs/gadget.md of wikiviews. License: MIT.
 */
'use strict';

var config = require( './wikiviews-config.json' );

var TIMEOUT_MS = 8000;
var CACHE_MS = 3600000;
var BATCH = 50;
var MESSAGES = [ 'label', 'views', 'average', 'change', 'rank', 'through', 'redirects', 'stats',
	'chart', 'day', 'day-edited', 'error', 'retry' ];
// Used when even the wiki's API cannot be reached.
var FALLBACK = {
	'wikiviews-error': 'Readership could not be loaded ($1).',
	'wikiviews-retry': 'Try again'
};

/**
 * The backend settings: the site's configuration, overridden by the user's options.
 *
 * `userjs-wikiviews-api` replaces the backend's root URL and `userjs-wikiviews-mode` the mode
 * ('summary' for a wikiviews server, 'aqs' for Wikimedia's compatible routes). Without a mode,
 * a root URL on wikimedia.org means 'aqs'.
 *
 * @return {{api: string, mode: string, project: string, stats: string|undefined}}
 */
function readSettings() {
	var userApi = mw.user.options.get( 'userjs-wikiviews-api' );
	var api = String( userApi || config.api || '' ).replace( /\/+$/, '' );
	var mode = mw.user.options.get( 'userjs-wikiviews-mode' ) ||
		( !userApi && config.mode ) ||
		( /^https?:\/\/([^/]+\.)?wikimedia\.org(\/|$)/i.test( api ) ? 'aqs' : 'summary' );
	return {
		api: api,
		mode: mode,
		project: config.project ||
			String( mw.config.get( 'wgServerName' ) ).replace( /^www\.|\.org$/g, '' ),
		stats: config.stats
	};
}

/**
 * GET a JSON document.
 *
 * @param {string} url
 * @param {Function} callback Called once with (reason) or (null, data); a 404 gives ('404')
 */
function getJSON( url, callback ) {
	var xhr = new XMLHttpRequest();
	function fail( reason ) {
		return function () {
			callback( reason );
		};
	}
	xhr.open( 'GET', url );
	xhr.timeout = TIMEOUT_MS;
	xhr.onload = function () {
		var data;
		if ( xhr.status !== 200 ) {
			callback( String( xhr.status ) );
			return;
		}
		try {
			data = JSON.parse( xhr.responseText );
		} catch ( e ) {
			callback( 'invalid JSON' );
			return;
		}
		callback( null, data );
	};
	xhr.onerror = fail( 'network error' );
	xhr.ontimeout = fail( 'timeout' );
	xhr.send();
}

/**
 * Ask the wiki's API for the days of the revisions this page lists (UTC, YYYYMMDD) and, with
 * the first batch, the messages in the user's language (MediaWiki applies its fallbacks).
 *
 * @param {Function} callback Called once with the days as an object's keys (never fails)
 */
function loadWikiData( callback ) {
	var nodes = document.querySelectorAll( '#pagehistory [data-mw-revid]' );
	var ids = [];
	var days = {};
	var pending = 0;
	var i;
	for ( i = 0; i < nodes.length && i < 10 * BATCH; i++ ) {
		ids.push( nodes[ i ].getAttribute( 'data-mw-revid' ) );
	}
	function collect( reason, data ) {
		var query = ( !reason && data.query ) || {};
		( query.pages || [] ).forEach( function ( page ) {
			( page.revisions || [] ).forEach( function ( revision ) {
				days[ revision.timestamp.slice( 0, 10 ).replace( /-/g, '' ) ] = true;
			} );
		} );
		( query.allmessages || [] ).forEach( function ( message ) {
			if ( message.content !== undefined ) {
				mw.messages.set( message.name, message.content );
			}
		} );
		if ( --pending <= 0 ) {
			callback( days );
		}
	}
	i = 0;
	do {
		pending++;
		getJSON( mw.util.wikiScript( 'api' ) + '?action=query&format=json&formatversion=2' +
			( i ? '' : '&meta=allmessages&amlang=' + mw.config.get( 'wgUserLanguage' ) +
				'&ammessages=wikiviews-' + MESSAGES.join( '%7Cwikiviews-' ) ) +
			( ids.length ? '&prop=revisions&rvprop=timestamp&revids=' +
				ids.slice( i, i + BATCH ).join( '%7C' ) : '' ), collect );
		i += BATCH;
	} while ( i < ids.length );
}

/**
 * The summary of an article: from the summary route, or built from the compatible routes.
 *
 * @param {Object} settings From readSettings()
 * @param {string} title
 * @param {Function} callback (reason) or (null, summary)
 */
function loadSummary( settings, title, callback ) {
	var name = 'ext.gadget.wikiviews-aqs';
	if ( settings.mode === 'aqs' ) {
		mw.loader.using( name ).then( function ( req ) {
			req( name ).loadSummary( settings, title, 60, getJSON, callback );
		}, function () {
			callback( 'module' );
		} );
		return;
	}
	getJSON( settings.api + '/api/wikiviews/v1/summary/' + encodeURIComponent( settings.project ) +
		'/' + encodeURIComponent( title ) + '?days=60&agent=user&redirects=1', callback );
}

/**
 * Show the one-line error with a retry link.
 *
 * @param {HTMLElement} box
 * @param {string} reason
 */
function showError( box, reason ) {
	var line = document.createElement( 'span' );
	var link = document.createElement( 'a' );
	if ( !mw.messages.exists( 'wikiviews-error' ) ) {
		mw.messages.set( FALLBACK );
	}
	line.className = 'wikiviews-error';
	line.textContent = mw.msg( 'wikiviews-error', /^\d+$/.test( reason ) ? 'HTTP ' + reason : reason );
	link.href = '#';
	link.setAttribute( 'role', 'button' );
	link.textContent = mw.msg( 'wikiviews-retry' );
	link.addEventListener( 'click', function ( event ) {
		event.preventDefault();
		load( box );
	} );
	box.textContent = '';
	box.appendChild( line );
	box.appendChild( document.createTextNode( ' ' ) );
	box.appendChild( link );
	box.setAttribute( 'data-state', 'error' );
}

/**
 * Load the figures (from the cache when fresh), the wiki's data and the drawing code, then
 * render.
 *
 * @param {HTMLElement} box
 */
function load( box ) {
	var settings = readSettings();
	var title = mw.config.get( 'wgPageName' );
	var key = 'wikiviews:' + [ settings.mode, settings.api, settings.project, title ].join( ':' );
	var cached = mw.storage.getObject( key );
	var pending = 3;
	var summary, edits, draw, failure;

	box.textContent = '';
	box.setAttribute( 'aria-busy', 'true' );
	box.setAttribute( 'data-state', 'loading' );
	function finish() {
		if ( --pending ) {
			return;
		}
		box.removeAttribute( 'aria-busy' );
		if ( failure ) {
			showError( box, failure );
			return;
		}
		draw( box, summary, edits, settings );
		if ( window.performance && performance.mark ) {
			performance.mark( 'wikiviews-ready' );
		}
	}
	mw.loader.using( 'ext.gadget.wikiviews-render' ).then( function ( req ) {
		draw = req( 'ext.gadget.wikiviews-render' );
		finish();
	}, function () {
		failure = failure || 'module';
		finish();
	} );
	loadWikiData( function ( days ) {
		edits = days;
		finish();
	} );
	if ( cached && cached.time > Date.now() - CACHE_MS ) {
		summary = cached.summary;
		finish();
	} else if ( !settings.api ) {
		failure = 'no backend configured';
		finish();
	} else {
		loadSummary( settings, title, function ( reason, data ) {
			if ( reason || !data || !data.series || !data.series.length ) {
				failure = reason || 'no data';
			} else {
				summary = data;
				mw.storage.setObject( key, { time: Date.now(), summary: data }, CACHE_MS / 1000 );
			}
			finish();
		} );
	}
}

/**
 * Insert the placeholder box under the subtitle and start loading.
 */
function start() {
	var anchor = document.getElementById( 'contentSub' ) ||
		document.getElementById( 'mw-content-subtitle' );
	var content = document.getElementById( 'mw-content-text' );
	var box = document.createElement( 'div' );
	if ( document.getElementById( 'wikiviews-box' ) || !( anchor || content ) ) {
		return;
	}
	box.id = box.className = 'wikiviews-box';
	box.setAttribute( 'role', 'region' );
	if ( anchor ) {
		anchor.parentNode.insertBefore( box, anchor.nextSibling );
	} else {
		content.insertBefore( box, content.firstChild );
	}
	load( box );
}

if (
	mw.config.get( 'wgAction' ) === 'history' &&
	mw.config.get( 'wgArticleId' ) > 0 &&
	( config.namespaces || [ 0 ] ).indexOf( mw.config.get( 'wgNamespaceNumber' ) ) !== -1
) {
	if ( window.performance && performance.mark ) {
		performance.mark( 'wikiviews-start' );
	}
	if ( document.readyState === 'loading' ) {
		document.addEventListener( 'DOMContentLoaded', start );
	} else {
		start();
	}
}

module.exports = { readSettings: readSettings };
