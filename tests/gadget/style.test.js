/**
 * The stylesheet: dark fallbacks under the skin's night class and the OS preference, and a
 * fixed height. MediaWiki 1.39 has no night mode, so this is where it is checked.
 */
'use strict';

const { test } = require( 'node:test' );
const assert = require( 'node:assert/strict' );
const fs = require( 'fs' );
const path = require( 'path' );
const { JSDOM } = require( 'jsdom' );
const { GADGET } = require( './harness' );

const CSS = fs.readFileSync( path.join( GADGET, 'wikiviews.css' ), 'utf8' );
const sheet = new JSDOM( '<style>' + CSS + '</style>' ).window.document.styleSheets[ 0 ];

/**
 * @param {CSSStyleRule} rule
 * @return {Object} Custom property → its fallback colour (the second argument of var())
 */
function fallbacks( rule ) {
	const found = {};
	for ( let i = 0; i < rule.style.length; i++ ) {
		const name = rule.style[ i ];
		const match = /var\(\s*--[\w-]+\s*,\s*(#[0-9a-f]{3,6})\s*\)/i.exec( rule.style.getPropertyValue( name ) );
		if ( name.indexOf( '--wikiviews-' ) === 0 && match ) {
			found[ name ] = match[ 1 ];
		}
	}
	return found;
}

/**
 * @param {string} hex #rgb or #rrggbb
 * @return {number} Relative luminance, 0 (black) … 1 (white)
 */
function luminance( hex ) {
	const full = hex.length === 4 ? '#' + [ ...hex.slice( 1 ) ].map( ( c ) => c + c ).join( '' ) : hex;
	const [ r, g, b ] = [ 1, 3, 5 ].map( ( i ) => {
		const c = parseInt( full.slice( i, i + 2 ), 16 ) / 255;
		return c <= 0.03928 ? c / 12.92 : Math.pow( ( c + 0.055 ) / 1.055, 2.4 );
	} );
	return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const rules = [ ...sheet.cssRules ];
const base = rules.find( ( r ) => r.selectorText === '#wikiviews-box' );
const night = rules.find( ( r ) => r.selectorText === 'html.skin-theme-clientpref-night #wikiviews-box' );
const osDark = rules.find( ( r ) => r.media && /prefers-color-scheme:\s*dark/.test( r.media.mediaText ) ).cssRules[ 0 ];

test( 'the night class and the OS preference redefine every colour', () => {
	const light = fallbacks( base );
	assert.ok( Object.keys( light ).length >= 6 );
	assert.deepEqual( Object.keys( fallbacks( night ) ).sort(), Object.keys( light ).sort() );
	assert.deepEqual( fallbacks( osDark ), fallbacks( night ) );
	assert.equal( osDark.selectorText, 'html.skin-theme-clientpref-os #wikiviews-box' );
} );

test( 'dark fallbacks are dark backgrounds with light text, readable on both', () => {
	const light = fallbacks( base );
	const dark = fallbacks( night );
	assert.ok( luminance( light[ '--wikiviews-bg' ] ) > 0.8 && luminance( dark[ '--wikiviews-bg' ] ) < 0.05 );
	for ( const [ theme, colours ] of [ [ 'light', light ], [ 'dark', dark ] ] ) {
		const bg = luminance( colours[ '--wikiviews-bg' ] );
		for ( const fg of [ '--wikiviews-fg', '--wikiviews-muted', '--wikiviews-error' ] ) {
			const l = luminance( colours[ fg ] );
			const contrast = ( Math.max( l, bg ) + 0.05 ) / ( Math.min( l, bg ) + 0.05 );
			assert.ok( contrast >= 4.5, `${ theme } ${ fg } contrast ${ contrast.toFixed( 2 ) }` );
		}
	}
} );

test( 'the box has a fixed height and hides overflow, so it never shifts the page', () => {
	assert.match( base.style.height, /^\d+(\.\d+)?em$/ );
	assert.equal( base.style.overflow, 'hidden' );
	assert.equal( base.style.getPropertyValue( 'box-sizing' ), 'border-box' );
} );

test( 'colours come only through the variables', () => {
	for ( const rule of rules.filter( ( r ) => r.style ) ) {
		for ( let i = 0; i < rule.style.length; i++ ) {
			const name = rule.style[ i ];
			if ( /^(color|fill|stroke|background-color|border|outline)$/.test( name ) ) {
				assert.match( rule.style.getPropertyValue( name ), /var\(\s*--wikiviews-|none/, rule.selectorText + ' ' + name );
			}
		}
	}
} );
