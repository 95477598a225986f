export default { 'zh-TW': {}, 'zh-CN': {}, en: {} }
