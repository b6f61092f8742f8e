/**
 * wikiviews: an article's readership on its history page.
 *
 * One box under the subtitle of action=history: views by people in the last 30 days, the daily
 * average, the change against the 30 days before, the rank on the wiki, the day the data runs
 * through, and a 60-day sparkline with the days of the listed edits marked. One request to the
 * wikiviews summary route (or, against Wikimedia's own API, the compatible routes, whose code
 * loads only then); results are cached for an hour; failures show one line with a retry link.
 *
 * ES5 syntax on purpose: MediaWiki 1.39 validates gadget scripts as ECMAScript 5.
 * Documentation: docs/gadget.md of wikiviews. License: MIT.
 */
'use strict';

var config = require( './wikiviews-config.json' );
var messages = require( './wikiviews-i18n.json' );

var BOX_ID = 'wikiviews-box';
var AQS_MODULE = 'ext.gadget.wikiviews-aqs';
var TIMEOUT_MS = 8000;
var CACHE_SECONDS = 3600;
var DAYS = 60;
var REVIDS_PER_QUERY = 50;
var MAX_REVIDS = 500;
var SVG_NS = 'http://www.w3.org/2000/svg';
var WIDTH = 240;
var HEIGHT = 36;

/**
 * Whether this page is an article history the gadget serves.
 *
 * @return {boolean}
 */
function applies() {
	var namespaces = config.namespaces || [ 0 ];
	return mw.config.get( 'wgAction' ) === 'history' &&
		mw.config.get( 'wgArticleId' ) > 0 &&
		namespaces.indexOf( mw.config.get( 'wgNamespaceNumber' ) ) !== -1;
}

/**
 * The host of a URL, or '' when it has none.
 *
 * @param {string} url
 * @return {string}
 */
function hostOf( url ) {
	var match = /^https?:\/\/([^/:?#]+)/i.exec( url );
	return match ? match[ 1 ].toLowerCase() : '';
}

/**
 * The backend settings: the site's configuration, overridden by the user's options.
 *
 * `userjs-wikiviews-api` replaces the backend's root URL and `userjs-wikiviews-mode` the mode
 * ('summary' for a wikiviews server, 'aqs' for Wikimedia's compatible routes). Without a mode,
 * a root URL on wikimedia.org means 'aqs'.
 *
 * @return {{api: string, mode: string, project: string, stats: string}}
 */
function readSettings() {
	var userApi = mw.user.options.get( 'userjs-wikiviews-api' );
	var api = String( userApi || config.api || '' ).replace( /\/+$/, '' );
	var mode = mw.user.options.get( 'userjs-wikiviews-mode' ) ||
		( !userApi && config.mode ) ||
		( /(^|\.)wikimedia\.org$/.test( hostOf( api ) ) ? 'aqs' : 'summary' );
	var project = config.project ||
		String( mw.config.get( 'wgServerName' ) ).replace( /^www\./, '' ).replace( /\.org$/, '' );
	var stats = config.stats || ( mode === 'aqs' ?
		'https://pageviews.wmcloud.org/pageviews/?project=$1.org&pages=$2&range=latest-60' :
		api + '/pageviews/?project=$1&pages=$2&range=latest-60&redirects=1' );
	return { api: api, mode: mode, project: project, stats: stats };
}

/**
 * Put the messages of the user's language (with its fallbacks, then English) in mw.messages.
 */
function setMessages() {
	var chain = mw.language.getFallbackLanguageChain().concat( 'en' );
	var key, i, table;
	var chosen = {};
	for ( i = chain.length - 1; i >= 0; i-- ) {
		table = messages[ chain[ i ] ] || {};
		for ( key in table ) {
			chosen[ key ] = table[ key ];
		}
	}
	mw.messages.set( chosen );
}

/**
 * @param {string} key Message key without its 'wikiviews-' prefix
 * @param {...string} [params]
 * @return {string} Plain text
 */
function msg( key ) {
	var params = Array.prototype.slice.call( arguments, 1 );
	return mw.message.apply( mw, [ 'wikiviews-' + key ].concat( params ) ).text();
}

/**
 * @param {number} n
 * @return {string} n in the user's language, with digit grouping
 */
function formatNumber( n ) {
	return String( mw.language.convertNumber( n ) );
}

/**
 * @param {string} stamp YYYYMMDD
 * @return {Date} Midnight UTC of that day
 */
function parseStamp( stamp ) {
	return new Date( Date.UTC(
		+stamp.slice( 0, 4 ), +stamp.slice( 4, 6 ) - 1, +stamp.slice( 6, 8 )
	) );
}

/**
 * @param {string} stamp YYYYMMDD
 * @return {string} The day, written for the user's language
 */
function formatDay( stamp ) {
	var date = parseStamp( stamp );
	try {
		return date.toLocaleDateString( mw.language.bcp47( mw.config.get( 'wgUserLanguage' ) ), {
			timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric'
		} );
	} catch ( e ) {
		return date.toISOString().slice( 0, 10 );
	}
}

/**
 * GET a JSON document.
 *
 * @param {string} url
 * @param {Function} callback Called once with (reason) or (null, data); a 404 gives ('404')
 */
function getJSON( url, callback ) {
	var xhr = new XMLHttpRequest();
	var called = false;
	function finish( reason, data ) {
		if ( !called ) {
			called = true;
			callback( reason, data );
		}
	}
	xhr.open( 'GET', url );
	xhr.timeout = TIMEOUT_MS;
	xhr.onload = function () {
		var data;
		if ( xhr.status !== 200 ) {
			finish( String( xhr.status ) );
			return;
		}
		try {
			data = JSON.parse( xhr.responseText );
		} catch ( e ) {
			finish( 'invalid JSON' );
			return;
		}
		finish( null, data );
	};
	xhr.onerror = function () {
		finish( 'network error' );
	};
	xhr.ontimeout = function () {
		finish( 'timeout' );
	};
	xhr.send();
}

/**
 * The UTC days (YYYYMMDD) of the revisions this history page lists, from the wiki's API.
 *
 * @param {Function} callback Called once with an object whose keys are the days (never fails)
 */
function loadEditDays( callback ) {
	var nodes = document.querySelectorAll( '#pagehistory [data-mw-revid]' );
	var ids = [];
	var days = {};
	var pending, i;
	for ( i = 0; i < nodes.length && i < MAX_REVIDS; i++ ) {
		ids.push( nodes[ i ].getAttribute( 'data-mw-revid' ) );
	}
	pending = Math.ceil( ids.length / REVIDS_PER_QUERY );
	if ( !pending ) {
		callback( days );
		return;
	}
	function collect( reason, data ) {
		var pages = ( !reason && data.query && data.query.pages ) || [];
		pages.forEach( function ( page ) {
			( page.revisions || [] ).forEach( function ( revision ) {
				days[ revision.timestamp.slice( 0, 10 ).replace( /-/g, '' ) ] = true;
			} );
		} );
		if ( --pending === 0 ) {
			callback( days );
		}
	}
	for ( i = 0; i < ids.length; i += REVIDS_PER_QUERY ) {
		getJSON( mw.util.wikiScript( 'api' ) + '?action=query&format=json&formatversion=2' +
			'&prop=revisions&rvprop=timestamp&revids=' +
			ids.slice( i, i + REVIDS_PER_QUERY ).join( '%7C' ), collect );
	}
}

/**
 * The summary of an article from a wikiviews server.
 *
 * @param {Object} settings From readSettings()
 * @param {string} title
 * @param {Function} callback (reason) or (null, summary)
 */
function loadSummary( settings, title, callback ) {
	if ( settings.mode === 'aqs' ) {
		mw.loader.using( AQS_MODULE ).then( function ( req ) {
			req( AQS_MODULE ).loadSummary( settings, title, DAYS, getJSON, callback );
		}, function () {
			callback( 'module' );
		} );
		return;
	}
	getJSON( settings.api + '/api/wikiviews/v1/summary/' + encodeURIComponent( settings.project ) +
		'/' + encodeURIComponent( title ) + '?days=' + DAYS + '&agent=user&redirects=1', callback );
}

/**
 * @param {string} name
 * @param {Object} [attributes]
 * @return {Element} An SVG element
 */
function svgNode( name, attributes ) {
	var node = document.createElementNS( SVG_NS, name );
	var key;
	for ( key in attributes || {} ) {
		node.setAttribute( key, attributes[ key ] );
	}
	return node;
}

/**
 * @param {string} tag
 * @param {string} [className]
 * @param {string} [text]
 * @return {HTMLElement}
 */
function htmlNode( tag, className, text ) {
	var node = document.createElement( tag );
	if ( className ) {
		node.className = className;
	}
	if ( text !== undefined ) {
		node.textContent = text;
	}
	return node;
}

/**
 * The sparkline: the series as a line, edited days as ticks, a marker and a readout that
 * follow the pointer and the arrow keys.
 *
 * @param {Array} series [{date, views}]
 * @param {Object} edits Days with edits as keys
 * @param {HTMLElement} readout Where the day under the pointer is written
 * @return {Element}
 */
function drawChart( series, edits, readout ) {
	var max = 0;
	var min = Infinity;
	var editCount = 0;
	var step = WIDTH / Math.max( series.length - 1, 1 );
	var points = [];
	var svg, marker, current;
	series.forEach( function ( day ) {
		max = Math.max( max, day.views );
		min = Math.min( min, day.views );
	} );
	svg = svgNode( 'svg', {
		class: 'wikiviews-chart',
		width: WIDTH,
		height: HEIGHT,
		viewBox: '0 0 ' + WIDTH + ' ' + HEIGHT,
		role: 'img',
		tabindex: '0',
		focusable: 'true'
	} );
	// Lowest to highest day fills the height, as sparklines do; the readout gives the values.
	function y( views ) {
		return ( HEIGHT - 4 - ( HEIGHT - 8 ) * ( views - min ) / ( max - min || 1 ) ).toFixed( 1 );
	}
	series.forEach( function ( day, i ) {
		var x = ( i * step ).toFixed( 1 );
		points.push( x + ',' + y( day.views ) );
		if ( edits[ day.date ] ) {
			editCount++;
			svg.appendChild( svgNode( 'rect', {
				class: 'wikiviews-edit', x: x - 1, y: 0, width: 2, height: HEIGHT, 'data-date': day.date
			} ) );
		}
	} );
	svg.appendChild( svgNode( 'polyline', { class: 'wikiviews-line', points: points.join( ' ' ) } ) );
	marker = svgNode( 'circle', { class: 'wikiviews-marker', r: 3, cx: -10, cy: -10 } );
	svg.appendChild( marker );
	svg.setAttribute( 'aria-label', msg( 'chart',
		formatDay( series[ series.length - 1 ].date ), formatNumber( min ), formatNumber( max ),
		formatNumber( editCount ) ) );

	function show( i ) {
		var day = series[ i ];
		current = i;
		marker.setAttribute( 'cx', ( i * step ).toFixed( 1 ) );
		marker.setAttribute( 'cy', y( day.views ) );
		readout.textContent = msg( edits[ day.date ] ? 'day-edited' : 'day',
			formatDay( day.date ), formatNumber( day.views ) );
	}
	svg.addEventListener( 'mousemove', function ( event ) {
		var box = svg.getBoundingClientRect();
		var at = ( event.clientX - box.left ) / ( box.width || WIDTH );
		var i = Math.round( at * ( series.length - 1 ) );
		show( Math.max( 0, Math.min( series.length - 1, i ) ) );
	} );
	svg.addEventListener( 'focus', function () {
		show( current === undefined ? series.length - 1 : current );
	} );
	svg.addEventListener( 'keydown', function ( event ) {
		var moves = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity };
		if ( !( event.key in moves ) ) {
			return;
		}
		event.preventDefault();
		show( Math.max( 0, Math.min( series.length - 1, ( current || 0 ) + moves[ event.key ] ) ) );
	} );
	return svg;
}

/**
 * Fill the box with a summary.
 *
 * @param {HTMLElement} box
 * @param {Object} summary The summary route's JSON
 * @param {Object} edits Days with edits as keys
 * @param {Object} settings
 */
function render( box, summary, edits, settings ) {
	var text = htmlNode( 'div', 'wikiviews-text' );
	var first = htmlNode( 'div' );
	var second = htmlNode( 'div', 'wikiviews-meta' );
	var readout = htmlNode( 'div', 'wikiviews-readout' );
	var figure = htmlNode( 'div', 'wikiviews-figure' );
	var link = htmlNode( 'a', null, msg( 'stats' ) );
	var change = summary.change_pct;
	var parts = [];
	var redirects, around;

	readout.setAttribute( 'aria-live', 'polite' );
	first.appendChild( htmlNode( 'strong', null, msg( 'views', formatNumber( summary.total_30 ) ) ) );
	parts.push( msg( 'average', formatNumber( summary.average_30 ) ) );
	if ( change !== null && change !== undefined ) {
		parts.push( msg( 'change', ( change > 0 ? '+' : '' ) + formatNumber( change ) ) );
	}
	if ( summary.rank ) {
		parts.push( msg( 'rank', formatNumber( summary.rank ), formatDay( summary.rank_date ) ) );
	}
	parts.forEach( function ( part ) {
		first.appendChild( document.createTextNode( ' · ' + part ) );
	} );

	second.appendChild( document.createTextNode( msg( 'through', formatDay( summary.through ) ) ) );
	if ( summary.redirects && summary.redirects.length ) {
		// The titles go where $1 is, each isolated in a <bdi> (they may be right-to-left).
		around = msg( 'redirects', '\u0000' ).split( '\u0000' );
		redirects = htmlNode( 'span', 'wikiviews-redirects', ' · ' + around[ 0 ] );
		summary.redirects.forEach( function ( title, i ) {
			redirects.appendChild( document.createTextNode( i ? ', ' : '' ) );
			redirects.appendChild( htmlNode( 'bdi', null, title.replace( /_/g, ' ' ) ) );
		} );
		redirects.appendChild( document.createTextNode( around[ 1 ] || '' ) );
		second.appendChild( redirects );
	}
	second.appendChild( document.createTextNode( ' · ' ) );
	link.href = settings.stats.replace( '$1', encodeURIComponent( settings.project ) )
		.replace( '$2', encodeURIComponent( summary.title ) );
	second.appendChild( link );
	text.appendChild( first );
	text.appendChild( second );

	figure.appendChild( drawChart( summary.series, edits, readout ) );
	figure.appendChild( readout );
	box.textContent = '';
	box.appendChild( text );
	box.appendChild( figure );
	box.setAttribute( 'data-total-30', String( summary.total_30 ) );
	box.setAttribute( 'data-through', summary.through );
	box.setAttribute( 'data-rank', summary.rank ? String( summary.rank ) : '' );
	box.setAttribute( 'data-state', 'ready' );
}

/**
 * Show the one-line error with a retry link.
 *
 * @param {HTMLElement} box
 * @param {string} reason
 * @param {Function} retry
 */
function renderError( box, reason, retry ) {
	var link = htmlNode( 'a', null, msg( 'retry' ) );
	link.href = '#';
	link.setAttribute( 'role', 'button' );
	link.addEventListener( 'click', function ( event ) {
		event.preventDefault();
		retry();
	} );
	box.textContent = '';
	box.appendChild( htmlNode( 'span', 'wikiviews-error', msg( 'error', /^\d+$/.test( reason ) ? 'HTTP ' + reason : reason ) ) );
	box.appendChild( document.createTextNode( ' ' ) );
	box.appendChild( link );
	box.setAttribute( 'data-state', 'error' );
}

/**
 * Load the article's figures (from the cache when fresh) and the edit days, then render.
 *
 * @param {HTMLElement} box
 */
function load( box ) {
	var settings = readSettings();
	var title = mw.config.get( 'wgPageName' );
	var key = 'wikiviews:' + settings.mode + ':' + settings.api + ':' + settings.project + ':' + title;
	var cached = mw.storage.getObject( key );
	var pending = 2;
	var summary, edits, failure;

	box.textContent = msg( 'loading' );
	box.setAttribute( 'data-state', 'loading' );
	function finish() {
		if ( --pending ) {
			return;
		}
		if ( failure ) {
			renderError( box, failure, function () {
				load( box );
			} );
		} else {
			render( box, summary, edits, settings );
			if ( window.performance && performance.mark ) {
				performance.mark( 'wikiviews-ready' );
			}
		}
	}
	loadEditDays( function ( days ) {
		edits = days;
		finish();
	} );
	if ( cached && cached.time > Date.now() - CACHE_SECONDS * 1000 ) {
		summary = cached.summary;
		finish();
		return;
	}
	if ( !settings.api ) {
		failure = 'no backend configured';
		finish();
		return;
	}
	loadSummary( settings, title, function ( reason, data ) {
		if ( reason || !data || !data.series || !data.series.length ) {
			failure = reason || 'no data';
		} else {
			summary = data;
			mw.storage.setObject( key, { time: Date.now(), summary: data }, CACHE_SECONDS );
		}
		finish();
	} );
}

/**
 * Insert the placeholder box under the subtitle and start loading.
 */
function start() {
	var box = document.getElementById( BOX_ID );
	var anchor = document.getElementById( 'contentSub' ) ||
		document.getElementById( 'mw-content-subtitle' );
	var content = document.getElementById( 'mw-content-text' );
	if ( box || !( anchor || content ) ) {
		return;
	}
	box = htmlNode( 'div', 'wikiviews-box' );
	box.id = BOX_ID;
	box.setAttribute( 'role', 'region' );
	box.setAttribute( 'aria-label', msg( 'label' ) );
	if ( anchor && anchor.parentNode ) {
		anchor.parentNode.insertBefore( box, anchor.nextSibling );
	} else {
		content.insertBefore( box, content.firstChild );
	}
	load( box );
}

if ( applies() ) {
	if ( window.performance && performance.mark ) {
		performance.mark( 'wikiviews-start' );
	}
	setMessages();
	if ( document.readyState === 'loading' ) {
		document.addEventListener( 'DOMContentLoaded', start );
	} else {
		start();
	}
}

module.exports = {
	applies: applies,
	readSettings: readSettings,
	hostOf: hostOf,
	parseStamp: parseStamp,
	getJSON: getJSON
};
