// placeholder: the customer chat widget's entry (issue 19) is being built
document.getElementById('widget')!.textContent = ''
