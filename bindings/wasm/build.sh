#!/usr/bin/env bash
# Builds the npm package's WebAssembly: the release .wasm (profile
# wasm-release), then wasm-bindgen for `--target web` into pkg/web and
# `--target nodejs` into pkg/node, with wasm-opt (when Debian's binaryen is installed)
# run on the .wasm first. Installs what is missing: the wasm32 target and wasm-bindgen-cli
# at exactly the Cargo.lock version of the wasm-bindgen crate.
# Honours CARGO_TARGET_DIR. Usage: bindings/wasm/build.sh
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
fi

# The CLI must match the crate exactly, or the glue and the .wasm disagree.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock")
[ -n "$want" ] || { echo "error: wasm-bindgen is not in Cargo.lock" >&2; exit 1; }
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
    echo "installing wasm-bindgen-cli $want (found: ${have:-none})"
    # --locked first; the crates.io index can lag behind the CLI's own lock
    # file, and then the newest dependencies that resolve will do.
    cargo install wasm-bindgen-cli --version "$want" --locked \
        || cargo install wasm-bindgen-cli --version "$want"
fi

# The package's version follows the crate's.
crate_version=$(cargo metadata --locked --no-deps --format-version 1 --manifest-path "$root/Cargo.toml" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=JSON.parse(s);
        console.log(m.packages.find(p=>p.name==="critfumble-dice-wasm").version+" "+m.target_directory)})')
read -r version target_dir <<<"$crate_version"
npm_version=$(node -p 'require("./package.json").version')
if [ "$version" != "$npm_version" ]; then
    echo "error: package.json has version $npm_version but the crate has $version" >&2
    exit 1
fi

# WASM_PROFILE picks another Cargo profile, to compare builds (default: wasm-release).
profile=${WASM_PROFILE:-wasm-release}
cargo build --locked -p critfumble-dice-wasm --target wasm32-unknown-unknown --profile "$profile"
wasm="$target_dir/wasm32-unknown-unknown/$profile/critfumble_dice_wasm.wasm"

rm -rf pkg
mkdir -p pkg
if command -v wasm-opt >/dev/null; then
    # Before wasm-bindgen rather than after: Debian's binaryen (108) renumbers
    # the externref table that wasm-bindgen adds, and the glue then fails.
    # The features are those rustc enables by default for wasm32-unknown-unknown.
    wasm-opt -O3 --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
        --enable-mutable-globals --enable-reference-types --enable-multivalue \
        "$wasm" -o pkg/critfumble_dice_wasm.wasm
    wasm=pkg/critfumble_dice_wasm.wasm
else
    echo "note: wasm-opt not found (apt-get install binaryen); the .wasm is not post-optimized"
fi
wasm-bindgen --target web --no-typescript --out-dir pkg/web "$wasm"
wasm-bindgen --target nodejs --no-typescript --out-dir pkg/node "$wasm"
rm -f pkg/critfumble_dice_wasm.wasm
# The package is ESM ("type": "module"); the nodejs glue is CommonJS.
echo '{ "type": "commonjs" }' > pkg/node/package.json

bytes=$(wc -c < pkg/web/critfumble_dice_wasm_bg.wasm)
gzipped=$(gzip -9 -c pkg/web/critfumble_dice_wasm_bg.wasm | wc -c)
echo "built @crit-fumble/dice $version: critfumble_dice_wasm_bg.wasm $bytes bytes, $gzipped gzipped"
