<?php
/**
 * Plugin Name:       zhsearch
 * Plugin URI:        https://github.com/zhsearch/zhsearch
 * Description:       Answers the site's search (/?s=) with zhsearch: Chinese word segmentation, ranking, traditional and simplified characters alike, pinyin and typo help. WordPress's own search answers when zhsearch does not within a second.
 * Version:           0.1.0
 * Requires at least: 5.0
 * Requires PHP:      7.4
 * Author:            zhsearch
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       zhsearch
 *
 * The index is kept in step by `zhsearch sync wordpress https://this-site/` (ids wp-<site host>-<post id>); this
 * plugin asks zhsearch's /api/search for the main search query's page and hands WordPress the posts it found,
 * in zhsearch's order, through the posts_pre_query filter (as ElasticPress does): the theme renders them as it
 * renders any search. Any failure (no url set, no answer within the timeout, an error status) leaves the query
 * to WordPress.
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/** Seconds zhsearch has to answer before WordPress's own search is used (filter: zhsearch_timeout). */
const ZHSEARCH_TIMEOUT = 1.0;
/** The largest page /api/search gives. */
const ZHSEARCH_MAX_PER_PAGE = 50;

/** The zhsearch server's base url (option zhsearch_url), without a trailing slash; '' when not set. */
function zhsearch_base_url() {
	return untrailingslashit( trim( (string) get_option( 'zhsearch_url', '' ) ) );
}

/** The prefix of this site's article ids in zhsearch: wp-<host[:port]>- of the home url. */
function zhsearch_id_prefix() {
	$parts = wp_parse_url( home_url() );
	$host  = strtolower( isset( $parts['host'] ) ? $parts['host'] : '' );
	if ( ! empty( $parts['port'] ) ) {
		$host .= ':' . $parts['port'];
	}
	return 'wp-' . $host . '-';
}

/**
 * The search results page of zhsearch for the query: array( post ids, total ), or null when zhsearch did not
 * answer (then WordPress searches).
 */
function zhsearch_search( $terms, $page, $per_page ) {
	$base = zhsearch_base_url();
	if ( '' === $base ) {
		return null;
	}
	$url      = $base . '/api/search?' . http_build_query(
		array(
			'q'        => $terms,
			'page'     => $page,
			'per_page' => $per_page,
			'collapse' => 0,
		),
		'',
		'&',
		PHP_QUERY_RFC3986
	);
	$response = wp_remote_get(
		$url,
		array(
			'timeout'     => (float) apply_filters( 'zhsearch_timeout', ZHSEARCH_TIMEOUT ),
			'redirection' => 0,
			'headers'     => array( 'Accept' => 'application/json' ),
		)
	);
	if ( is_wp_error( $response ) ) {
		return null;
	}
	$status = (int) wp_remote_retrieve_response_code( $response );
	$data   = json_decode( wp_remote_retrieve_body( $response ), true );
	if ( 400 === $status && is_array( $data ) && isset( $data['error']['code'] ) && 'page_out_of_range' === $data['error']['code'] ) {
		return array( array(), 0 );
	}
	if ( 200 !== $status || ! is_array( $data ) || ! isset( $data['results'] ) || ! is_array( $data['results'] ) ) {
		return null;
	}
	$prefix = zhsearch_id_prefix();
	$ids    = array();
	foreach ( $data['results'] as $result ) {
		$id = isset( $result['id'] ) ? (string) $result['id'] : '';
		if ( 0 === strpos( $id, $prefix ) && ctype_digit( substr( $id, strlen( $prefix ) ) ) ) {
			$ids[] = (int) substr( $id, strlen( $prefix ) );
		}
	}
	return array( $ids, isset( $data['total'] ) ? (int) $data['total'] : count( $ids ) );
}

/**
 * posts_pre_query: the main search query of the front end answered by zhsearch. The posts are returned in
 * zhsearch's order; found_posts and max_num_pages are zhsearch's (no_found_rows keeps WordPress from counting).
 */
function zhsearch_posts_pre_query( $posts, $query ) {
	if ( null !== $posts || is_admin() || ! $query->is_main_query() || ! $query->is_search() ) {
		return $posts;
	}
	$terms = trim( (string) $query->get( 's' ) );
	if ( '' === $terms ) {
		return $posts;
	}
	$per_page = (int) $query->get( 'posts_per_page' );
	if ( $per_page < 1 ) {
		$per_page = (int) get_option( 'posts_per_page', 10 );
	}
	$per_page = max( 1, min( ZHSEARCH_MAX_PER_PAGE, $per_page ) );
	$page     = max( 1, (int) $query->get( 'paged' ) );
	$found    = zhsearch_search( $terms, $page, $per_page );
	if ( null === $found ) {
		return null; // WordPress's own search
	}
	list( $ids, $total ) = $found;
	$query->set( 'no_found_rows', true );
	$query->found_posts   = $total;
	$query->max_num_pages = (int) ceil( $total / $per_page );
	if ( 'ids' === $query->get( 'fields' ) ) {
		return $ids;
	}
	if ( $ids ) {
		_prime_post_caches( $ids );
	}
	$result = array();
	foreach ( $ids as $id ) {
		$post = get_post( $id );
		if ( $post && 'publish' === $post->post_status ) {
			$result[] = $post;
		}
	}
	return $result;
}
add_filter( 'posts_pre_query', 'zhsearch_posts_pre_query', 10, 2 );

/** Settings → zhsearch: the option zhsearch_url. */
function zhsearch_register_settings() {
	register_setting(
		'zhsearch',
		'zhsearch_url',
		array(
			'type'              => 'string',
			'sanitize_callback' => 'esc_url_raw',
			'default'           => '',
		)
	);
	add_settings_section( 'zhsearch_main', '', '__return_false', 'zhsearch' );
	add_settings_field( 'zhsearch_url', __( 'zhsearch server URL', 'zhsearch' ), 'zhsearch_url_field', 'zhsearch', 'zhsearch_main', array( 'label_for' => 'zhsearch_url' ) );
}
add_action( 'admin_init', 'zhsearch_register_settings' );

function zhsearch_url_field() {
	printf(
		'<input type="url" class="regular-text code" id="zhsearch_url" name="zhsearch_url" value="%s" placeholder="http://127.0.0.1:8000" />'
		. '<p class="description">%s</p>',
		esc_attr( get_option( 'zhsearch_url', '' ) ),
		esc_html__( 'Where zhsearch serve answers. Empty: WordPress searches as before.', 'zhsearch' )
	);
}

function zhsearch_add_settings_page() {
	add_options_page( 'zhsearch', 'zhsearch', 'manage_options', 'zhsearch', 'zhsearch_settings_page' );
}
add_action( 'admin_menu', 'zhsearch_add_settings_page' );

/** The settings form, and whether zhsearch answers now (its /healthz). */
function zhsearch_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	echo '<div class="wrap"><h1>zhsearch</h1><form action="options.php" method="post">';
	settings_fields( 'zhsearch' );
	do_settings_sections( 'zhsearch' );
	submit_button();
	echo '</form>';
	$base = zhsearch_base_url();
	if ( '' !== $base ) {
		$response = wp_remote_get( $base . '/healthz', array( 'timeout' => 2 ) );
		$data     = is_wp_error( $response ) ? null : json_decode( wp_remote_retrieve_body( $response ), true );
		if ( is_array( $data ) && isset( $data['documents'] ) ) {
			/* translators: %d: number of indexed articles */
			printf( '<p>' . esc_html__( 'zhsearch answers: %d articles indexed.', 'zhsearch' ) . '</p>', (int) $data['documents'] );
		} else {
			$why = is_wp_error( $response ) ? $response->get_error_message() : wp_remote_retrieve_response_code( $response );
			/* translators: %s: the error */
			printf( '<p>' . esc_html__( 'zhsearch does not answer (%s): WordPress searches by itself.', 'zhsearch' ) . '</p>', esc_html( (string) $why ) );
		}
	}
	echo '</div>';
}
