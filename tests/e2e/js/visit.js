/**
 * Open one page in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core),
 * optionally wait for a selector, press keys, evaluate an expression, take a screenshot, and
 * print what happened as one JSON line: every request, console message and page error.
 *
 * Usage: node tests/e2e/js/visit.js '<plan as JSON>'
 * Plan: { url, login?: {url, user, password}, waitFor?, timeout?, viewport?, colorScheme?,
 *         locale?, timezone?, htmlClasses?, css?, focus?, keys?, hover?, evaluate?, screenshot?,
 *         clip? }
 * `login` signs in through Special:UserLogin before `url` is opened.
 * Driven by tests/e2e (pytest) and the gadget benchmark; never downloads a browser.
 */
'use strict';

const { chromium } = require( 'playwright-core' );

const LAUNCH_ARGS = [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
	'--disable-dev-shm-usage'
];

/**
 * Launch the system's Chromium.
 *
 * @return {Promise<Object>} A playwright Browser
 */
function launch() {
	return chromium.launch( {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: LAUNCH_ARGS
	} );
}

/**
 * Carry out a plan in a fresh browser context.
 *
 * @param {Object} browser
 * @param {Object} plan
 * @return {Promise<Object>} The report
 */
async function visit( browser, plan ) {
	const context = await browser.newContext( {
		viewport: plan.viewport || { width: 1200, height: 800 },
		colorScheme: plan.colorScheme || 'light',
		locale: plan.locale || 'en-US',
		timezoneId: plan.timezone || 'UTC'
	} );
	const page = await context.newPage();
	const report = { requests: [], console: [], pageErrors: [], failed: [] };
	page.on( 'request', ( request ) => report.requests.push( request.url() ) );
	page.on( 'requestfailed', ( request ) => report.failed.push( request.url() ) );
	page.on( 'console', ( message ) => report.console.push( { type: message.type(), text: message.text() } ) );
	page.on( 'pageerror', ( error ) => report.pageErrors.push( String( error ) ) );
	if ( plan.login ) {
		await page.goto( plan.login.url );
		await page.fill( '#wpName1', plan.login.user );
		await page.fill( '#wpPassword1', plan.login.password );
		await Promise.all( [ page.waitForNavigation(), page.click( '#wpLoginAttempt' ) ] );
		report.requests.length = 0;
	}
	await page.goto( plan.url, { waitUntil: 'load' } );
	if ( plan.waitFor ) {
		await page.locator( plan.waitFor ).first().waitFor( { timeout: plan.timeout || 20000 } );
	}
	if ( plan.htmlClasses ) {
		await page.evaluate(
			// eslint-disable-next-line no-undef
			( classes ) => document.documentElement.classList.add( ...classes ), plan.htmlClasses
		);
	}
	if ( plan.css ) {
		await page.addStyleTag( { content: plan.css } );
	}
	if ( plan.focus ) {
		await page.focus( plan.focus );
	}
	for ( const key of plan.keys || [] ) {
		await page.keyboard.press( key );
	}
	if ( plan.hover ) {
		await page.hover( plan.hover.selector, { position: plan.hover.position } );
	}
	if ( plan.evaluate ) {
		// eslint-disable-next-line no-new-func
		report.result = await page.evaluate( new Function( 'return (' + plan.evaluate + ');' ) );
	}
	if ( plan.screenshot ) {
		const target = plan.clip ? page.locator( plan.clip ) : page;
		await target.screenshot( { path: plan.screenshot } );
	}
	await context.close();
	return report;
}

if ( require.main === module ) {
	( async () => {
		const plan = JSON.parse( process.argv[ 2 ] );
		const browser = await launch();
		try {
			process.stdout.write( JSON.stringify( await visit( browser, plan ) ) + '\n' );
		} finally {
			await browser.close();
		}
	} )().catch( ( error ) => {
		process.stderr.write( String( error && error.stack || error ) + '\n' );
		process.exitCode = 1;
	} );
}

module.exports = { launch, visit };
