/**
 * wikiviews gadget, Wikimedia mode: the summary built from the routes of Wikimedia's pageview
 * API (per-article daily, and the day's top list for the rank). Loaded only when the backend
 * is Wikimedia's own API or another server that speaks only those routes. ES5 syntax.
 */
'use strict';

var DAY_MS = 86400000;

/**
 * @param {number} ms Milliseconds since the epoch
 * @return {string} YYYYMMDD of that UTC day
 */
function stampOf( ms ) {
	return new Date( ms ).toISOString().slice( 0, 10 ).replace( /-/g, '' );
}

/**
 * @param {string} stamp YYYYMMDD
 * @return {number} Milliseconds since the epoch at midnight UTC of that day
 */
function msOf( stamp ) {
	return Date.UTC( +stamp.slice( 0, 4 ), +stamp.slice( 4, 6 ) - 1, +stamp.slice( 6, 8 ) );
}

/**
 * Sum of the views of `series` from index `from` (inclusive) to `to` (exclusive).
 *
 * @param {Array} series
 * @param {number} from
 * @param {number} to
 * @return {number}
 */
function sum( series, from, to ) {
	var total = 0;
	var i;
	for ( i = Math.max( from, 0 ); i < to; i++ ) {
		total += series[ i ].views;
	}
	return total;
}

/**
 * The summary route's JSON from a per-article answer and the rank.
 *
 * @param {string} project
 * @param {string} title
 * @param {number} days Length of the series
 * @param {string} through YYYYMMDD, the last day of the series
 * @param {Array} items Per-article items ({timestamp: 'YYYYMMDD00', views})
 * @param {number|null} rank
 * @return {Object}
 */
function buildSummary( project, title, days, through, items, rank ) {
	var views = {};
	var length = Math.max( days, 60 );
	var end = msOf( through );
	var series = [];
	var total, previous, i, day;
	items.forEach( function ( item ) {
		var stamp = item.timestamp.slice( 0, 8 );
		views[ stamp ] = ( views[ stamp ] || 0 ) + item.views;
	} );
	for ( i = length - 1; i >= 0; i-- ) {
		day = stampOf( end - i * DAY_MS );
		series.push( { date: day, views: views[ day ] || 0 } );
	}
	total = sum( series, length - 30, length );
	previous = sum( series, length - 60, length - 30 );
	return {
		project: project,
		title: title,
		through: through,
		series: series.slice( length - days ),
		total_30: total,
		average_30: Math.round( total / 3 ) / 10,
		previous_total_30: previous,
		change_pct: previous ? Math.round( ( total - previous ) * 1000 / previous ) / 10 : null,
		rank: rank,
		rank_date: through,
		redirects: []
	};
}

/**
 * The rank of `title` in a top-list answer, or null.
 *
 * @param {Object} data
 * @param {string} title
 * @return {number|null}
 */
function rankIn( data, title ) {
	var articles = ( data && data.items && data.items[ 0 ] && data.items[ 0 ].articles ) || [];
	var i;
	for ( i = 0; i < articles.length; i++ ) {
		if ( articles[ i ].article === title ) {
			return articles[ i ].rank;
		}
	}
	return null;
}

/**
 * Load the summary of `title` from the compatible routes under `settings.api`.
 *
 * The data runs through yesterday (UTC) when that day's top list exists, otherwise through the
 * day before; the rank is read from that top list. A 404 of the per-article route means no
 * views at all.
 *
 * @param {Object} settings {api, project}
 * @param {string} title
 * @param {number} days Length of the series
 * @param {Function} getJSON (url, callback(reason, data))
 * @param {Function} callback (reason) or (null, summary)
 * @param {number} [now] Milliseconds since the epoch (tests)
 */
function loadSummary( settings, title, days, getJSON, callback, now ) {
	var base = settings.api + '/api/rest_v1/metrics/pageviews/';
	var project = encodeURIComponent( settings.project );
	var yesterday = Math.floor( ( now || Date.now() ) / DAY_MS ) * DAY_MS - DAY_MS;
	var first = yesterday - ( Math.max( days, 60 ) ) * DAY_MS;
	var pending = 2;
	var items, top, through, failure;

	function topUrl( ms ) {
		var stamp = stampOf( ms );
		return base + 'top/' + project + '/all-access/' + stamp.slice( 0, 4 ) + '/' +
			stamp.slice( 4, 6 ) + '/' + stamp.slice( 6, 8 );
	}
	function finish() {
		if ( --pending ) {
			return;
		}
		if ( failure ) {
			callback( failure );
			return;
		}
		callback( null, buildSummary(
			settings.project, title, days, through, items, rankIn( top, title )
		) );
	}
	function onTop( reason, data, fallback ) {
		if ( reason === '404' && !fallback ) {
			getJSON( topUrl( yesterday - DAY_MS ), function ( again, result ) {
				onTop( again, result, true );
			} );
			return;
		}
		through = stampOf( fallback ? yesterday - DAY_MS : yesterday );
		top = reason ? null : data;
		finish();
	}
	getJSON( base + 'per-article/' + project + '/all-access/user/' + encodeURIComponent( title ) +
		'/daily/' + stampOf( first ) + '/' + stampOf( yesterday ), function ( reason, data ) {
		if ( reason && reason !== '404' ) {
			failure = reason;
		}
		items = ( data && data.items ) || [];
		finish();
	} );
	getJSON( topUrl( yesterday ), function ( reason, data ) {
		onTop( reason, data, false );
	} );
}

module.exports = {
	loadSummary: loadSummary,
	buildSummary: buildSummary,
	rankIn: rankIn
};
