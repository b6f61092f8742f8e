/**
 * wikiviews gadget: draws the readership box from a summary (loaded by the bootstrap,
 * wikiviews.js, in parallel with the data). Plain DOM and SVG; every title is text, never
 * markup. ES5 syntax.
 */
'use strict';

var WIDTH = 240;
var HEIGHT = 36;

/**
 * An element with attributes and text.
 *
 * @param {string} tag
 * @param {Object} [attributes]
 * @param {string} [text]
 * @param {boolean} [svg] In the SVG namespace
 * @return {Element}
 */
function node( tag, attributes, text, svg ) {
	var element = svg ? document.createElementNS( 'http://www.w3.org/2000/svg', tag ) :
		document.createElement( tag );
	var key;
	for ( key in attributes || {} ) {
		element.setAttribute( key, attributes[ key ] );
	}
	if ( text !== undefined ) {
		element.textContent = text;
	}
	return element;
}

/**
 * @param {string} key Message key without its 'wikiviews-' prefix
 * @param {...string} [params]
 * @return {string} Plain text
 */
function msg( key ) {
	var args = Array.prototype.slice.call( arguments );
	args[ 0 ] = 'wikiviews-' + key;
	return mw.msg.apply( mw, args );
}

/**
 * @param {number} n
 * @return {string} n in the user's language, with digit grouping
 */
function number( n ) {
	return String( mw.language.convertNumber( n ) );
}

/**
 * @param {string} stamp YYYYMMDD
 * @return {string} The day, written for the user's language
 */
function day( stamp ) {
	var date = new Date( Date.UTC(
		+stamp.slice( 0, 4 ), +stamp.slice( 4, 6 ) - 1, +stamp.slice( 6 )
	) );
	try {
		return date.toLocaleDateString( mw.language.bcp47( mw.config.get( 'wgUserLanguage' ) ), {
			timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric'
		} );
	} catch ( e ) {
		return date.toISOString().slice( 0, 10 );
	}
}

/**
 * The sparkline: the series as a line (lowest to highest day filling the height), edited
 * days as ticks, and a marker and a readout that follow the pointer and the arrow keys.
 *
 * @param {Array} series [{date, views}]
 * @param {Object} edits Days with edits as keys
 * @param {HTMLElement} readout Where the day under the pointer or focus is written
 * @return {Element}
 */
function chart( series, edits, readout ) {
	var last = series.length - 1;
	var step = WIDTH / ( last || 1 );
	var views = series.map( function ( d ) {
		return d.views;
	} );
	var max = Math.max.apply( Math, views );
	var min = Math.min.apply( Math, views );
	var edited = 0;
	var svg = node( 'svg', {
		class: 'wikiviews-chart',
		width: WIDTH,
		height: HEIGHT,
		viewBox: '0 0 ' + WIDTH + ' ' + HEIGHT,
		role: 'img',
		tabindex: 0
	}, undefined, true );
	var marker = node( 'circle', { class: 'wikiviews-marker', r: 3, cx: -9, cy: -9 }, undefined, true );
	var current = last;
	function y( n ) {
		return ( HEIGHT - 4 - ( HEIGHT - 8 ) * ( n - min ) / ( max - min || 1 ) ).toFixed( 1 );
	}
	function show( i ) {
		var d = series[ current = Math.max( 0, Math.min( last, i ) ) ];
		marker.setAttribute( 'cx', ( current * step ).toFixed( 1 ) );
		marker.setAttribute( 'cy', y( d.views ) );
		readout.textContent = msg( edits[ d.date ] ? 'day-edited' : 'day', day( d.date ), number( d.views ) );
	}
	series.forEach( function ( d, i ) {
		if ( edits[ d.date ] ) {
			edited++;
			svg.appendChild( node( 'rect', {
				class: 'wikiviews-edit', x: i * step - 1, y: 0, width: 2, height: HEIGHT, 'data-date': d.date
			}, undefined, true ) );
		}
	} );
	svg.appendChild( node( 'polyline', {
		class: 'wikiviews-line',
		points: views.map( function ( n, i ) {
			return ( i * step ).toFixed( 1 ) + ',' + y( n );
		} ).join( ' ' )
	}, undefined, true ) );
	svg.appendChild( marker );
	svg.setAttribute( 'aria-label', msg( 'chart', day( series[ last ].date ), number( min ),
		number( max ), number( edited ) ) );
	svg.addEventListener( 'mousemove', function ( event ) {
		var rect = svg.getBoundingClientRect();
		show( Math.round( ( event.clientX - rect.left ) / ( rect.width || WIDTH ) * last ) );
	} );
	svg.addEventListener( 'focus', function () {
		show( current );
	} );
	svg.addEventListener( 'keydown', function ( event ) {
		var moves = { ArrowLeft: -1, ArrowRight: 1, Home: -last, End: last };
		if ( moves[ event.key ] ) {
			event.preventDefault();
			show( current + moves[ event.key ] );
		}
	} );
	return svg;
}

/**
 * Fill the box with a summary and set its data attributes.
 *
 * @param {HTMLElement} box
 * @param {Object} summary The summary route's JSON
 * @param {Object} edits Days with edits as keys
 * @param {Object} settings {api, mode, project, stats}: the statistics link is `stats` with
 *  $1 the project and $2 the title, or the backend's Pageviews-compatible page
 */
function render( box, summary, edits, settings ) {
	var first = node( 'div' );
	var meta = node( 'div', { class: 'wikiviews-meta' }, msg( 'through', day( summary.through ) ) );
	var readout = node( 'div', { class: 'wikiviews-readout', 'aria-live': 'polite' } );
	var figure = node( 'div', { class: 'wikiviews-figure' } );
	var text = node( 'div', { class: 'wikiviews-text' } );
	var change = summary.change_pct;
	var parts = [ msg( 'average', number( summary.average_30 ) ) ];
	var around, span;

	first.appendChild( node( 'strong', {}, msg( 'views', number( summary.total_30 ) ) ) );
	if ( change !== null && change !== undefined ) {
		parts.push( msg( 'change', ( change > 0 ? '+' : '' ) + number( change ) ) );
	}
	if ( summary.rank ) {
		parts.push( msg( 'rank', number( summary.rank ), day( summary.rank_date ) ) );
	}
	first.appendChild( document.createTextNode( ' · ' + parts.join( ' · ' ) ) );

	if ( summary.redirects && summary.redirects.length ) {
		// The titles go where $1 is, each isolated in a <bdi> (they may be right-to-left).
		around = msg( 'redirects', '\u0000' ).split( '\u0000' );
		span = node( 'span', { class: 'wikiviews-redirects' }, ' · ' + around[ 0 ] );
		summary.redirects.forEach( function ( title, i ) {
			span.appendChild( document.createTextNode( i ? ', ' : '' ) );
			span.appendChild( node( 'bdi', {}, title.replace( /_/g, ' ' ) ) );
		} );
		span.appendChild( document.createTextNode( around[ 1 ] || '' ) );
		meta.appendChild( span );
	}
	meta.appendChild( document.createTextNode( ' · ' ) );
	meta.appendChild( node( 'a', {
		href: ( settings.stats || ( settings.mode === 'aqs' ?
			'https://pageviews.wmcloud.org/pageviews/?project=$1.org&pages=$2&range=latest-60' :
			settings.api + '/pageviews/?project=$1&pages=$2&range=latest-60&redirects=1' ) )
			.replace( '$1', encodeURIComponent( settings.project ) )
			.replace( '$2', encodeURIComponent( summary.title ) )
	}, msg( 'stats' ) ) );
	text.appendChild( first );
	text.appendChild( meta );
	figure.appendChild( chart( summary.series, edits, readout ) );
	figure.appendChild( readout );
	box.textContent = '';
	box.appendChild( text );
	box.appendChild( figure );
	box.setAttribute( 'aria-label', msg( 'label' ) );
	box.setAttribute( 'data-total-30', summary.total_30 );
	box.setAttribute( 'data-through', summary.through );
	box.setAttribute( 'data-rank', summary.rank || '' );
	box.setAttribute( 'data-state', 'ready' );
}

module.exports = render;
