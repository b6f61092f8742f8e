/**
 * The messages: every language has English's keys and parameters, and every key is documented.
 */
'use strict';

const { test } = require( 'node:test' );
const assert = require( 'node:assert/strict' );
const fs = require( 'fs' );
const path = require( 'path' );
const { GADGET } = require( './harness' );

const DIR = path.join( GADGET, 'i18n' );
const read = ( lang ) => JSON.parse( fs.readFileSync( path.join( DIR, lang + '.json' ), 'utf8' ) );
const keys = ( table ) => Object.keys( table ).filter( ( k ) => k !== '@metadata' ).sort();
const params = ( text ) => ( text.match( /\$\d/g ) || [] ).sort().join( ' ' );
const BOOTSTRAP = fs.readFileSync( path.join( GADGET, 'wikiviews.js' ), 'utf8' );
const RENDER = fs.readFileSync( path.join( GADGET, 'wikiviews-render.js' ), 'utf8' );

test( 'English, German, French and Arabic are there, with the documentation', () => {
	const langs = fs.readdirSync( DIR ).map( ( f ) => f.replace( '.json', '' ) ).sort();
	assert.deepEqual( langs, [ 'ar', 'de', 'en', 'fr', 'qqq' ] );
} );

test( 'every language has exactly English\'s keys and parameters', () => {
	const en = read( 'en' );
	for ( const lang of [ 'de', 'fr', 'ar', 'qqq' ] ) {
		const table = read( lang );
		assert.deepEqual( keys( table ), keys( en ), lang );
		if ( lang !== 'qqq' ) {
			for ( const key of keys( en ) ) {
				assert.equal( params( table[ key ] ), params( en[ key ] ), lang + ' ' + key );
			}
		}
	}
} );

test( 'the documentation describes each parameter', () => {
	const en = read( 'en' );
	const qqq = read( 'qqq' );
	for ( const key of keys( en ) ) {
		for ( const param of params( en[ key ] ).split( ' ' ).filter( Boolean ) ) {
			assert.ok( qqq[ key ].includes( param ), key + ' documents ' + param );
		}
	}
} );

test( 'the bootstrap asks for exactly the messages there are, and the code uses only those', () => {
	const list = /var MESSAGES = \[([^\]]+)\]/.exec( BOOTSTRAP )[ 1 ].match( /'[a-z-]+'/g )
		.map( ( k ) => 'wikiviews-' + k.slice( 1, -1 ) ).sort();
	const defined = keys( read( 'en' ) ).filter( ( k ) => k.indexOf( 'wikiviews-' ) === 0 );
	assert.deepEqual( list, defined );
	const used = new Set( [ ...RENDER.matchAll( /msg\(\s*'([a-z-]+)'/g ) ].map( ( m ) => 'wikiviews-' + m[ 1 ] ) );
	// Chosen at run time: msg( edited ? 'day-edited' : 'day', … ); the bootstrap's own two.
	[ 'wikiviews-day-edited', 'wikiviews-day', 'wikiviews-error', 'wikiviews-retry' ].forEach( ( k ) => used.add( k ) );
	assert.deepEqual( [ ...used ].sort(), defined );
} );
