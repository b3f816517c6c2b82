// The app's client hooks: none by default. An app serves its own `/assets/hooks.js`
// (`createLiveServer({ assets })`) whose default export is the hooks object.
export default {};
